// Hand-made objects for the check tests: only the fields the checks read.
import type { InspectionSnapshot, KubeObject } from './inspection.types';

export function node(name: string, opts: { ready?: boolean | 'Unknown'; kubelet?: string; reason?: string } = {}): KubeObject {
  const status = opts.ready === 'Unknown' ? 'Unknown' : opts.ready === false ? 'False' : 'True';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status, ...(opts.reason ? { reason: opts.reason } : {}) }],
      nodeInfo: { kubeletVersion: opts.kubelet ?? 'v1.30.4+vmware.1' },
    },
  };
}

export function staticPod(component: string, nodeName: string, ready = true): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${component}-${nodeName}`, namespace: 'kube-system', labels: { component, tier: 'control-plane' } },
    status: { phase: ready ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

export function deployment(name: string, replicas: number, available: number, namespace = 'kube-system'): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { replicas }, status: { availableReplicas: available } };
}

export function daemonSet(name: string, desired: number, available: number): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'kube-system' }, status: { desiredNumberScheduled: desired, numberAvailable: available } };
}

type Subject = { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string };

export function clusterRoleBinding(name: string, role: string, subjects: Subject[], labels?: Record<string, string>): KubeObject {
  return { kind: 'ClusterRoleBinding', metadata: { name, ...(labels ? { labels } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects };
}

export function roleBinding(namespace: string, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, subjects: Subject[]): KubeObject {
  return { kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects };
}

export function clusterRole(name: string, rules: Array<{ verbs: string[]; resources?: string[]; apiGroups?: string[] }>, labels?: Record<string, string>): KubeObject {
  return { kind: 'ClusterRole', metadata: { name, ...(labels ? { labels } : {}) }, rules };
}

export function role(namespace: string, name: string, rules: Array<{ verbs: string[]; resources?: string[] }>): KubeObject {
  return { kind: 'Role', metadata: { name, namespace }, rules };
}

/** A healthy three-node kubeadm-style (vSphere/TKG) cluster. */
export function healthyVsphere(): InspectionSnapshot {
  return {
    provider: 'VSPHERE',
    version: 'v1.30.4+vmware.1',
    health: { healthz: true, livez: true, readyz: true },
    nodes: [node('cp-1'), node('worker-1'), node('worker-2')],
    pods: ['kube-apiserver', 'etcd', 'kube-scheduler', 'kube-controller-manager'].map((c) => staticPod(c, 'cp-1')),
    deployments: [deployment('coredns', 2, 2)],
    daemonSets: [daemonSet('kube-proxy', 3, 3), daemonSet('antrea-agent', 3, 3)],
  };
}
