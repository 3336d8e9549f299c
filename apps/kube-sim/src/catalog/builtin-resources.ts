/**
 * The resources every simulated cluster serves, as a real 1.3x API server advertises them
 * (plural, kind, short names, verbs), so kubectl's discovery-driven commands resolve them.
 */
import type { ResourceType } from './resource-type';

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const CREATE_ONLY = ['create'];

interface Row {
  r: string;
  s: string;
  k: string;
  ns: boolean;
  short?: string[];
  sub?: string[];
  verbs?: string[];
  cat?: string[];
  virtual?: boolean;
  minMinor?: number;
}

function rows(group: string, version: string, list: Row[], managementOnly = false): ResourceType[] {
  return list.map((x) => ({
    group,
    version,
    resource: x.r,
    singular: x.s,
    kind: x.k,
    namespaced: x.ns,
    verbs: x.verbs ?? CRUD,
    shortNames: x.short,
    categories: x.cat,
    subresources: x.sub,
    managementOnly: managementOnly || undefined,
    storeKey: `${group}/${x.r}`,
    virtual: x.virtual,
    minMinor: x.minMinor,
  }));
}

export const BUILTIN_RESOURCES: ResourceType[] = [
  ...rows('', 'v1', [
    { r: 'pods', s: 'pod', k: 'Pod', ns: true, short: ['po'], sub: ['status', 'log', 'eviction'], cat: ['all'] },
    { r: 'nodes', s: 'node', k: 'Node', ns: false, short: ['no'], sub: ['status'] },
    { r: 'namespaces', s: 'namespace', k: 'Namespace', ns: false, short: ['ns'], sub: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
    { r: 'services', s: 'service', k: 'Service', ns: true, short: ['svc'], sub: ['status'], cat: ['all'] },
    { r: 'serviceaccounts', s: 'serviceaccount', k: 'ServiceAccount', ns: true, short: ['sa'], sub: ['token'] },
    { r: 'secrets', s: 'secret', k: 'Secret', ns: true },
    { r: 'configmaps', s: 'configmap', k: 'ConfigMap', ns: true, short: ['cm'] },
    { r: 'events', s: 'event', k: 'Event', ns: true, short: ['ev'] },
    { r: 'endpoints', s: 'endpoints', k: 'Endpoints', ns: true, short: ['ep'] },
    { r: 'resourcequotas', s: 'resourcequota', k: 'ResourceQuota', ns: true, short: ['quota'], sub: ['status'] },
    { r: 'limitranges', s: 'limitrange', k: 'LimitRange', ns: true, short: ['limits'] },
    { r: 'persistentvolumeclaims', s: 'persistentvolumeclaim', k: 'PersistentVolumeClaim', ns: true, short: ['pvc'], sub: ['status'] },
    { r: 'persistentvolumes', s: 'persistentvolume', k: 'PersistentVolume', ns: false, short: ['pv'], sub: ['status'] },
    { r: 'replicationcontrollers', s: 'replicationcontroller', k: 'ReplicationController', ns: true, short: ['rc'], sub: ['status', 'scale'], cat: ['all'] },
  ]),
  ...rows('apps', 'v1', [
    { r: 'deployments', s: 'deployment', k: 'Deployment', ns: true, short: ['deploy'], sub: ['status', 'scale'], cat: ['all'] },
    { r: 'statefulsets', s: 'statefulset', k: 'StatefulSet', ns: true, short: ['sts'], sub: ['status', 'scale'], cat: ['all'] },
    { r: 'daemonsets', s: 'daemonset', k: 'DaemonSet', ns: true, short: ['ds'], sub: ['status'], cat: ['all'] },
    { r: 'replicasets', s: 'replicaset', k: 'ReplicaSet', ns: true, short: ['rs'], sub: ['status', 'scale'], cat: ['all'] },
    { r: 'controllerrevisions', s: 'controllerrevision', k: 'ControllerRevision', ns: true },
  ]),
  ...rows('batch', 'v1', [
    { r: 'jobs', s: 'job', k: 'Job', ns: true, sub: ['status'], cat: ['all'] },
    { r: 'cronjobs', s: 'cronjob', k: 'CronJob', ns: true, short: ['cj'], sub: ['status'], cat: ['all'] },
  ]),
  ...rows('autoscaling', 'v2', [
    { r: 'horizontalpodautoscalers', s: 'horizontalpodautoscaler', k: 'HorizontalPodAutoscaler', ns: true, short: ['hpa'], sub: ['status'], cat: ['all'] },
  ]),
  ...rows('rbac.authorization.k8s.io', 'v1', [
    { r: 'roles', s: 'role', k: 'Role', ns: true },
    { r: 'rolebindings', s: 'rolebinding', k: 'RoleBinding', ns: true },
    { r: 'clusterroles', s: 'clusterrole', k: 'ClusterRole', ns: false },
    { r: 'clusterrolebindings', s: 'clusterrolebinding', k: 'ClusterRoleBinding', ns: false },
  ]),
  ...rows('networking.k8s.io', 'v1', [
    { r: 'networkpolicies', s: 'networkpolicy', k: 'NetworkPolicy', ns: true, short: ['netpol'] },
    { r: 'ingresses', s: 'ingress', k: 'Ingress', ns: true, short: ['ing'], sub: ['status'] },
    { r: 'ingressclasses', s: 'ingressclass', k: 'IngressClass', ns: false },
  ]),
  ...rows('policy', 'v1', [{ r: 'poddisruptionbudgets', s: 'poddisruptionbudget', k: 'PodDisruptionBudget', ns: true, short: ['pdb'], sub: ['status'] }]),
  ...rows('storage.k8s.io', 'v1', [{ r: 'storageclasses', s: 'storageclass', k: 'StorageClass', ns: false, short: ['sc'] }]),
  ...rows('coordination.k8s.io', 'v1', [{ r: 'leases', s: 'lease', k: 'Lease', ns: true }]),
  ...rows('admissionregistration.k8s.io', 'v1', [
    { r: 'validatingwebhookconfigurations', s: 'validatingwebhookconfiguration', k: 'ValidatingWebhookConfiguration', ns: false },
    { r: 'mutatingwebhookconfigurations', s: 'mutatingwebhookconfiguration', k: 'MutatingWebhookConfiguration', ns: false },
    // GA (v1) from Kubernetes 1.30; enforced at admission by admission/validating-admission-policy.ts.
    { r: 'validatingadmissionpolicies', s: 'validatingadmissionpolicy', k: 'ValidatingAdmissionPolicy', ns: false, sub: ['status'], minMinor: 30 },
    { r: 'validatingadmissionpolicybindings', s: 'validatingadmissionpolicybinding', k: 'ValidatingAdmissionPolicyBinding', ns: false, minMinor: 30 },
  ]),
  ...rows('apiextensions.k8s.io', 'v1', [
    { r: 'customresourcedefinitions', s: 'customresourcedefinition', k: 'CustomResourceDefinition', ns: false, short: ['crd', 'crds'], sub: ['status'] },
  ]),
  ...rows('authorization.k8s.io', 'v1', [
    { r: 'selfsubjectaccessreviews', s: '', k: 'SelfSubjectAccessReview', ns: false, verbs: CREATE_ONLY, virtual: true },
    { r: 'selfsubjectrulesreviews', s: '', k: 'SelfSubjectRulesReview', ns: false, verbs: CREATE_ONLY, virtual: true },
    { r: 'subjectaccessreviews', s: '', k: 'SubjectAccessReview', ns: false, verbs: CREATE_ONLY, virtual: true },
    { r: 'localsubjectaccessreviews', s: '', k: 'LocalSubjectAccessReview', ns: true, verbs: CREATE_ONLY, virtual: true },
  ]),
  ...rows('authentication.k8s.io', 'v1', [
    { r: 'tokenreviews', s: '', k: 'TokenReview', ns: false, verbs: CREATE_ONLY, virtual: true },
    { r: 'selfsubjectreviews', s: '', k: 'SelfSubjectReview', ns: false, verbs: CREATE_ONLY, virtual: true },
  ]),
  ...rows(
    'cluster.x-k8s.io',
    'v1beta1',
    [
      { r: 'clusters', s: 'cluster', k: 'Cluster', ns: true, short: ['cl'], sub: ['status'], cat: ['cluster-api'] },
      { r: 'machinedeployments', s: 'machinedeployment', k: 'MachineDeployment', ns: true, short: ['md'], sub: ['status', 'scale'], cat: ['cluster-api'] },
      { r: 'machinesets', s: 'machineset', k: 'MachineSet', ns: true, short: ['ms'], sub: ['status', 'scale'], cat: ['cluster-api'] },
      { r: 'machines', s: 'machine', k: 'Machine', ns: true, short: ['ma'], sub: ['status'], cat: ['cluster-api'] },
      { r: 'clusterclasses', s: 'clusterclass', k: 'ClusterClass', ns: true, short: ['cc'], sub: ['status'], cat: ['cluster-api'] },
    ],
    true,
  ),
  ...rows(
    'controlplane.cluster.x-k8s.io',
    'v1beta1',
    [{ r: 'kubeadmcontrolplanes', s: 'kubeadmcontrolplane', k: 'KubeadmControlPlane', ns: true, short: ['kcp'], sub: ['status', 'scale'], cat: ['cluster-api'] }],
    true,
  ),
  ...rows(
    'vmoperator.vmware.com',
    'v1alpha1',
    [{ r: 'virtualmachineclasses', s: 'virtualmachineclass', k: 'VirtualMachineClass', ns: false, short: ['vmclass'] }],
    true,
  ),
  ...rows(
    'run.tanzu.vmware.com',
    'v1alpha3',
    [
      { r: 'tanzukubernetesreleases', s: 'tanzukubernetesrelease', k: 'TanzuKubernetesRelease', ns: false, short: ['tkr'], sub: ['status'] },
      { r: 'tanzukubernetesclusters', s: 'tanzukubernetescluster', k: 'TanzuKubernetesCluster', ns: true, short: ['tkc'], sub: ['status'] },
    ],
    true,
  ),
];
