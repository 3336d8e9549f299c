/**
 * System workloads per provider: DNS, kube-proxy, CNI, CSI, metrics-server, provider agents and,
 * on self-managed flavors, the control plane as static (mirror) pods on control-plane nodes.
 * Many are privileged/hostNetwork like the real ones; they live in system namespaces that
 * Flotilla's policies exempt.
 */
import type { Flavor, KubeObject } from './contract';
import { type ClusterContext, rngFor, showsControlPlane } from './cluster-context';
import { imageDigest } from './seeded-random';
import type { SecurityProfile } from './security-profile';
import { type WorkloadBuilder, type WorkloadKind, apiServiceIP, dnsServiceIP } from './workload.builder';

interface SystemWorkload {
  ns: string;
  kind: WorkloadKind;
  name: string;
  image: string;
  profile: SecurityProfile;
  replicas?: number;
  everyNode?: boolean;
  cpOnly?: boolean;
  port?: number;
  /** The label key the selector uses (k8s-app for addons, app otherwise). */
  key?: string;
}

/** Provider image spelling of the Kubernetes version ("v1.30.4+vmware.1" → "v1.30.4_vmware.1"). */
function tag(version: string): string {
  return version.replace('+', '_');
}

function systemWorkloads(flavor: Flavor, version: string, region: string): SystemWorkload[] {
  const upstream = version.replace(/[-+].*$/, '');
  switch (flavor) {
    case 'vsphere':
    case 'management': {
      const tkg = 'projects.registry.vmware.com/tkg';
      const list: SystemWorkload[] = [
        { ns: 'kube-system', kind: 'Deployment', name: 'coredns', image: `${tkg}/coredns:v1.11.1_vmware.7`, profile: 'baseline-no-seccomp', replicas: 2, port: 53, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'kube-proxy', image: `${tkg}/kube-proxy:${tag(version)}`, profile: 'privileged-container', everyNode: true, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'antrea-agent', image: `${tkg}/antrea-advanced-debian:v1.13.3_vmware.1`, profile: 'privileged-container', everyNode: true },
        { ns: 'kube-system', kind: 'Deployment', name: 'antrea-controller', image: `${tkg}/antrea-advanced-debian:v1.13.3_vmware.1`, profile: 'privileged-host-network', replicas: 1 },
        { ns: 'kube-system', kind: 'Deployment', name: 'metrics-server', image: `${tkg}/metrics-server:v0.6.2_vmware.3`, profile: 'restricted', replicas: 1, port: 4443, key: 'k8s-app' },
        { ns: 'vmware-system-csi', kind: 'DaemonSet', name: 'vsphere-csi-node', image: `${tkg}/csi/vsphere-block-csi-driver:v3.1.2_vmware.1`, profile: 'privileged-container', everyNode: true },
        { ns: 'vmware-system-csi', kind: 'Deployment', name: 'vsphere-csi-controller', image: `${tkg}/csi/vsphere-block-csi-driver:v3.1.2_vmware.1`, profile: 'baseline-unset', replicas: 1, cpOnly: true },
        { ns: 'vmware-system-auth', kind: 'DaemonSet', name: 'guest-cluster-auth-svc', image: `${tkg}/guest-cluster-auth-service:v1.3.0_vmware.1`, profile: 'privileged-host-network', cpOnly: true },
      ];
      if (flavor === 'vsphere') {
        list.push({ ns: 'vmware-system-cloud-provider', kind: 'DaemonSet', name: 'vsphere-cloud-controller-manager', image: `${tkg}/ccm/manager:v1.30.1_vmware.1`, profile: 'privileged-host-network', cpOnly: true });
        list.push({ ns: 'secretgen-controller', kind: 'Deployment', name: 'secretgen-controller', image: `${tkg}/secretgen-controller:v0.16.1_vmware.1`, profile: 'restricted', replicas: 1 });
      } else {
        list.push(
          { ns: 'capi-system', kind: 'Deployment', name: 'capi-controller-manager', image: `${tkg}/cluster-api/cluster-api-controller:v1.7.3_vmware.1`, profile: 'restricted', replicas: 1, cpOnly: true, key: 'cluster.x-k8s.io/provider' },
          { ns: 'capi-kubeadm-bootstrap-system', kind: 'Deployment', name: 'capi-kubeadm-bootstrap-controller-manager', image: `${tkg}/cluster-api/kubeadm-bootstrap-controller:v1.7.3_vmware.1`, profile: 'restricted', replicas: 1, cpOnly: true },
          { ns: 'capi-kubeadm-control-plane-system', kind: 'Deployment', name: 'capi-kubeadm-control-plane-controller-manager', image: `${tkg}/cluster-api/kubeadm-control-plane-controller:v1.7.3_vmware.1`, profile: 'restricted', replicas: 1, cpOnly: true },
          { ns: 'vmware-system-capw', kind: 'Deployment', name: 'capw-controller-manager', image: 'localhost:5002/vmware/capw:v1.7.3', profile: 'baseline-unset', replicas: 2, cpOnly: true },
          { ns: 'vmware-system-tkg', kind: 'Deployment', name: 'vmware-system-tkg-controller-manager', image: 'localhost:5002/vmware/tkgs-controller:v3.2.0', profile: 'baseline-unset', replicas: 2, cpOnly: true },
          { ns: 'vmware-system-vmop', kind: 'Deployment', name: 'vmware-system-vmop-controller-manager', image: 'localhost:5002/vmware/vmop:v1.8.6', profile: 'baseline-unset', replicas: 2, cpOnly: true },
          { ns: 'svc-tmc-c8', kind: 'Deployment', name: 'agentupdater', image: 'projects.registry.vmware.com/tmc/agentupdater:v1.0.49', profile: 'restricted', replicas: 1 },
        );
      }
      return list;
    }
    case 'eks': {
      const ecr = `602401143452.dkr.ecr.${region}.amazonaws.com`;
      return [
        { ns: 'kube-system', kind: 'Deployment', name: 'coredns', image: `${ecr}/eks/coredns:v1.11.3-eksbuild.1`, profile: 'baseline-no-seccomp', replicas: 2, port: 53, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'kube-proxy', image: `${ecr}/eks/kube-proxy:${upstream}-minimal-eksbuild.3`, profile: 'privileged-container', everyNode: true, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'aws-node', image: `${ecr}/amazon-k8s-cni:v1.18.5-eksbuild.1`, profile: 'privileged-host-network', everyNode: true, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'ebs-csi-node', image: `${ecr}/eks/aws-ebs-csi-driver:v1.35.0`, profile: 'privileged-container', everyNode: true },
        { ns: 'kube-system', kind: 'Deployment', name: 'ebs-csi-controller', image: `${ecr}/eks/aws-ebs-csi-driver:v1.35.0`, profile: 'baseline-unset', replicas: 2 },
        { ns: 'kube-system', kind: 'Deployment', name: 'metrics-server', image: `${ecr}/eks/metrics-server:v0.7.2-eksbuild.1`, profile: 'restricted', replicas: 1, port: 10250, key: 'k8s-app' },
        { ns: 'amazon-cloudwatch', kind: 'DaemonSet', name: 'cloudwatch-agent', image: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300047.0b872', profile: 'privileged-host-path', everyNode: true },
        { ns: 'amazon-guardduty', kind: 'DaemonSet', name: 'aws-guardduty-agent', image: `${ecr}/aws-guardduty-agent:v1.7.1`, profile: 'privileged-host-pid', everyNode: true },
      ];
    }
    case 'gke':
      return [
        { ns: 'kube-system', kind: 'Deployment', name: 'kube-dns', image: 'gke.gcr.io/k8s-dns-kube-dns:1.23.0-gke.9', profile: 'baseline-unset', replicas: 2, port: 53, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'kube-proxy', image: `gke.gcr.io/kube-proxy-amd64:${version.replace('+', '_')}`, profile: 'privileged-container', everyNode: true, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'anetd', image: 'gke.gcr.io/cilium/cilium:v1.14.12-gke.1', profile: 'privileged-host-network', everyNode: true, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'pdcsi-node', image: 'gke.gcr.io/gcp-compute-persistent-disk-csi-driver:v1.13.2-gke.1', profile: 'privileged-container', everyNode: true, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'gke-metrics-agent', image: 'gke.gcr.io/gke-metrics-agent:1.12.3-gke.0', profile: 'privileged-host-path', everyNode: true, key: 'component' },
        { ns: 'kube-system', kind: 'Deployment', name: 'metrics-server-v1.30.3', image: 'gke.gcr.io/metrics-server:v0.7.1-gke.23', profile: 'restricted', replicas: 1, port: 10250, key: 'k8s-app' },
        { ns: 'gmp-system', kind: 'DaemonSet', name: 'collector', image: 'gke.gcr.io/prometheus-engine/prometheus:v2.45.3-gmp.9-gke.0', profile: 'restricted', everyNode: true },
        { ns: 'gke-managed-cim', kind: 'Deployment', name: 'kube-state-metrics', image: 'gke.gcr.io/kube-state-metrics:v2.7.0-gke.68', profile: 'restricted', replicas: 1 },
      ];
    case 'aks':
      return [
        { ns: 'kube-system', kind: 'Deployment', name: 'coredns', image: 'mcr.microsoft.com/oss/kubernetes/coredns:v1.9.4-1', profile: 'baseline-no-seccomp', replicas: 2, port: 53, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'kube-proxy', image: `mcr.microsoft.com/oss/kubernetes/kube-proxy:${upstream}-hotfix.20240712`, profile: 'privileged-container', everyNode: true, key: 'component' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'azure-cns', image: 'mcr.microsoft.com/containernetworking/azure-cns:v1.6.5', profile: 'privileged-host-network', everyNode: true, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'csi-azuredisk-node', image: 'mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi:v1.30.3', profile: 'privileged-container', everyNode: true },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'cloud-node-manager', image: 'mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager:v1.30.5', profile: 'privileged-host-network', everyNode: true, key: 'component' },
        { ns: 'kube-system', kind: 'Deployment', name: 'metrics-server', image: 'mcr.microsoft.com/oss/kubernetes/metrics-server:v0.7.2', profile: 'restricted', replicas: 2, port: 4443, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'Deployment', name: 'konnectivity-agent', image: 'mcr.microsoft.com/oss/kubernetes/apiserver-network-proxy/agent:v0.30.3-hotfix.20240819', profile: 'baseline-unset', replicas: 2 },
        { ns: 'calico-system', kind: 'DaemonSet', name: 'calico-node', image: 'mcr.microsoft.com/oss/calico/node:v3.28.1', profile: 'privileged-container', everyNode: true, key: 'k8s-app' },
      ];
    case 'generic':
      return [
        { ns: 'kube-system', kind: 'Deployment', name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3', profile: 'baseline-no-seccomp', replicas: 2, port: 53, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'DaemonSet', name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${upstream}`, profile: 'privileged-container', everyNode: true, key: 'k8s-app' },
        { ns: 'kube-system', kind: 'Deployment', name: 'metrics-server', image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2', profile: 'restricted', replicas: 1, port: 10250, key: 'k8s-app' },
        { ns: 'calico-system', kind: 'DaemonSet', name: 'calico-node', image: 'docker.io/calico/node:v3.28.1', profile: 'privileged-container', everyNode: true, key: 'k8s-app' },
        { ns: 'calico-system', kind: 'Deployment', name: 'calico-kube-controllers', image: 'docker.io/calico/kube-controllers:v3.28.1', profile: 'restricted', replicas: 1, key: 'k8s-app' },
        { ns: 'tigera-operator', kind: 'Deployment', name: 'tigera-operator', image: 'quay.io/tigera/operator:v1.34.3', profile: 'privileged-host-network', replicas: 1, key: 'name' },
        { ns: 'cert-manager', kind: 'Deployment', name: 'cert-manager', image: 'quay.io/jetstack/cert-manager-controller:v1.15.3', profile: 'restricted', replicas: 1, port: 9402 },
        { ns: 'ingress-nginx', kind: 'Deployment', name: 'ingress-nginx-controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.11.2', profile: 'baseline-allowed-caps', replicas: 2, port: 443 },
      ];
  }
}

const CONTROL_PLANE: ReadonlyArray<readonly [string, number]> = [['etcd', 2381], ['kube-apiserver', 6443], ['kube-controller-manager', 10257], ['kube-scheduler', 10259]];

function controlPlaneImage(flavor: Flavor, component: string, version: string): string {
  const vmware = flavor === 'vsphere' || flavor === 'management';
  if (component === 'etcd') return vmware ? 'projects.registry.vmware.com/tkg/etcd:v3.5.12_vmware.5' : 'registry.k8s.io/etcd:3.5.15-0';
  return vmware ? `projects.registry.vmware.com/tkg/${component}:${tag(version)}` : `registry.k8s.io/${component}:${version}`;
}

/** Mirror pods of the kubelet's static manifests: owned by the Node, hostNetwork, `component` labels. */
function staticPods(ctx: ClusterContext): KubeObject[] {
  const rng = rngFor(ctx, 'static-pods');
  const objects: KubeObject[] = [];
  for (const node of ctx.nodes.filter((n) => n.controlPlane)) {
    for (const [component, port] of CONTROL_PLANE) {
      const name = `${component}-${node.name}`;
      const image = controlPlaneImage(ctx.spec.flavor, component, ctx.spec.version);
      const hash = rng.hex(32);
      // Mirror pods appear once the kubelet has registered its Node (30 s after cluster creation).
      const age = rng.int(40, 160);
      const started = ctx.factory.timestamp(age);
      const owner = { apiVersion: 'v1', kind: 'Node', name: node.name, uid: ctx.factory.uid('Node', node.name), controller: true };
      const command = component === 'kube-apiserver'
        ? [component, `--advertise-address=${node.internalIP}`, '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction', '--secure-port=6443', '--service-cluster-ip-range=10.96.0.0/12']
        : component === 'etcd' ? ['etcd', `--advertise-client-urls=https://${node.internalIP}:2379`, '--data-dir=/var/lib/etcd', `--name=${node.name}`]
          : [component, '--bind-address=127.0.0.1', '--kubeconfig=/etc/kubernetes/' + component.replace('kube-', '') + '.conf', '--leader-elect=true'];
      objects.push(ctx.factory.object('v1', 'Pod', name, {
        namespace: 'kube-system',
        labels: { component, tier: 'control-plane' },
        annotations: {
          'kubernetes.io/config.hash': hash,
          'kubernetes.io/config.mirror': hash,
          'kubernetes.io/config.seen': started.replace('Z', '.000000000Z'),
          'kubernetes.io/config.source': 'file',
        },
        ageOffsetSeconds: age,
        ownerReferences: [owner],
      }, {
        spec: {
          containers: [{
            command, image, imagePullPolicy: 'IfNotPresent', name: component,
            livenessProbe: { failureThreshold: 8, httpGet: { host: component === 'etcd' || component === 'kube-apiserver' ? node.internalIP : '127.0.0.1', path: component === 'etcd' ? '/livez' : '/healthz', port, scheme: component === 'etcd' ? 'HTTP' : 'HTTPS' }, initialDelaySeconds: 10, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 15 },
            resources: { requests: { cpu: component === 'kube-apiserver' ? '250m' : '100m' } },
            terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
            volumeMounts: [{ mountPath: '/etc/kubernetes/pki', name: 'k8s-certs', readOnly: true }],
          }],
          dnsPolicy: 'ClusterFirst', enableServiceLinks: true, hostNetwork: true, nodeName: node.name,
          preemptionPolicy: 'PreemptLowerPriority', priority: 2000001000, priorityClassName: 'system-node-critical',
          restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          terminationGracePeriodSeconds: 30, tolerations: [{ effect: 'NoExecute', operator: 'Exists' }],
          volumes: [{ hostPath: { path: '/etc/kubernetes/pki', type: 'DirectoryOrCreate' }, name: 'k8s-certs' }],
        },
        status: {
          conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ lastProbeTime: null, lastTransitionTime: started, status: node.ready ? 'True' : 'False', type })),
          containerStatuses: [{ containerID: `containerd://${rng.hex(64)}`, image, imageID: `${image.split(':')[0]}@sha256:${imageDigest(image)}`, lastState: {}, name: component, ready: node.ready, restartCount: 0, started: true, state: { running: { startedAt: started } } }],
          hostIP: node.internalIP, hostIPs: [{ ip: node.internalIP }], phase: 'Running', podIP: node.internalIP, podIPs: [{ ip: node.internalIP }], qosClass: 'Burstable', startTime: started,
        },
      }));
    }
  }
  return objects;
}

/** Cluster-wide objects every apiserver or installer creates next to the system workloads. */
function systemConfig(ctx: ClusterContext): KubeObject[] {
  const { factory, spec } = ctx;
  const objects: KubeObject[] = [
    factory.object('scheduling.k8s.io/v1', 'PriorityClass', 'system-cluster-critical', { ageOffsetSeconds: 0 }, { description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.', preemptionPolicy: 'PreemptLowerPriority', value: 2000000000 }),
    factory.object('scheduling.k8s.io/v1', 'PriorityClass', 'system-node-critical', { ageOffsetSeconds: 0 }, { description: 'Used for system critical pods that must not be moved from their current node.', preemptionPolicy: 'PreemptLowerPriority', value: 2000001000 }),
  ];
  if (spec.flavor !== 'gke') {
    objects.push(factory.object('v1', 'ConfigMap', 'coredns', { namespace: 'kube-system', ageOffsetSeconds: 10 }, {
      data: { Corefile: '.:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n' },
    }));
  }
  if (showsControlPlane(ctx)) {
    // kubeadm-style clusters publish their endpoint in kube-public/cluster-info.
    objects.push(factory.object('v1', 'ConfigMap', 'cluster-info', { namespace: 'kube-public', ageOffsetSeconds: 5 }, {
      data: { kubeconfig: `apiVersion: v1\nclusters:\n- cluster:\n    server: ${ctx.gen.serverUrlFor(spec.name)}\n  name: ""\ncontexts: null\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: null\n` },
    }));
    objects.push(factory.object('v1', 'ConfigMap', 'kubeadm-config', { namespace: 'kube-system', ageOffsetSeconds: 5 }, {
      data: { ClusterConfiguration: `apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta3\nclusterName: ${spec.name}\ncontrollerManager: {}\ndns: {}\netcd:\n  local:\n    dataDir: /var/lib/etcd\nkind: ClusterConfiguration\nkubernetesVersion: ${spec.version}\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: 192.168.0.0/16\n  serviceSubnet: 10.96.0.0/12\nscheduler: {}\n` },
    }));
  }
  return objects;
}

export function addSystemWorkloads(ctx: ClusterContext, builder: WorkloadBuilder): KubeObject[] {
  const { flavor, version, region } = ctx.spec;
  const extra: KubeObject[] = systemConfig(ctx);
  for (const w of systemWorkloads(flavor, version, region)) {
    const key = w.key ?? 'app';
    const dns = w.name === 'coredns' || w.name === 'kube-dns';
    const selector = { [key]: dns ? 'kube-dns' : w.name };
    const labels = { ...selector, ...(dns ? { 'kubernetes.io/name': 'CoreDNS' } : {}) };
    extra.push(ctx.factory.object('v1', 'ServiceAccount', w.name, { namespace: w.ns, labels: { ...selector }, ageOffsetSeconds: 5 }, {}));
    builder.add({
      kind: w.kind, name: w.name, namespace: w.ns, replicas: w.replicas ?? 1,
      containers: [{ name: w.name.replace(/-v1\.\d+\.\d+$/, ''), image: w.image, port: w.port, portName: dns ? 'dns' : 'https' }],
      profile: w.profile, labels, selector, serviceAccountName: w.name, everyNode: w.everyNode || (w.kind === 'DaemonSet' && w.cpOnly),
      controlPlaneOnly: w.cpOnly && ctx.nodes.some((n) => n.controlPlane),
      priorityClassName: w.everyNode ? 'system-node-critical' : 'system-cluster-critical',
      requests: { cpu: '100m', memory: '70Mi' }, limits: dns ? { memory: '170Mi' } : undefined,
      ageOffsetSeconds: 400, unhealthyRate: 0, // after every node has registered
      service: dns ? { name: 'dns', port: 53, targetPort: 53, clusterIP: dnsServiceIP(flavor), objectName: 'kube-dns' } : undefined,
    });
  }
  // The apiserver's own Service (no selector: its endpoints are the control plane).
  builder.addService({ name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' }, selector: {}, ageOffsetSeconds: 0, service: { name: 'https', port: 443, targetPort: 6443, clusterIP: apiServiceIP(flavor) } });
  if (showsControlPlane(ctx)) extra.push(...staticPods(ctx));
  return extra;
}
