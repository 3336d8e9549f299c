/**
 * A deliberately small generator used only when the real one (src/content) is absent, and by
 * tests that want content they can predict: namespaces, nodes, a few pods, and on a management
 * cluster Cluster API objects for the clusters it manages.
 */
import { createHash } from 'node:crypto';
import type { ClusterSpec, GenerateCluster, GeneratedCluster, GenerationContext, KubeObject } from '../content/contract';
import { API_SERVER_URL_ANNOTATION } from '../content/contract';

const DEFAULT_VERSION: Record<string, string> = {
  vsphere: 'v1.30.4+vmware.1',
  management: 'v1.30.4+vmware.1',
  eks: 'v1.31.2-eks-7f9249a',
  gke: 'v1.31.3-gke.1006000',
  aks: 'v1.30.6',
  generic: 'v1.31.4',
};

function uid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function obj(cluster: string, apiVersion: string, kind: string, name: string, namespace: string | undefined, body: Record<string, unknown> = {}, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), uid: uid(`${cluster}/${kind}/${namespace ?? ''}/${name}`), creationTimestamp: '2025-01-15T10:00:00Z', labels },
    ...body,
  };
}

export function fallbackFleetMix(count: number): ClusterSpec[] {
  const out: ClusterSpec[] = [];
  const flavors = ['eks', 'gke', 'aks', 'generic'] as const;
  for (let i = 0; i < count; i++) {
    if (i === 0) out.push({ name: 'supervisor-01', flavor: 'management', nodes: 3 });
    else if (i % 2 === 1) out.push({ name: `tkg-${String(i).padStart(2, '0')}`, flavor: 'vsphere', nodes: 3, managedBy: 'supervisor-01' });
    else out.push({ name: `${flavors[i % 4]}-${String(i).padStart(2, '0')}`, flavor: flavors[i % 4], nodes: 3 });
  }
  return out;
}

export const fallbackGenerateCluster: GenerateCluster = (spec: ClusterSpec, ctx: GenerationContext): GeneratedCluster => {
  const version = spec.version ?? DEFAULT_VERSION[spec.flavor];
  const nodes = spec.nodes ?? 3;
  const n = spec.name;
  const objects: KubeObject[] = [];
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    objects.push(obj(n, 'v1', 'Namespace', ns, undefined, { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }, { 'kubernetes.io/metadata.name': ns }));
  }
  const selfManaged = spec.flavor === 'vsphere' || spec.flavor === 'generic' || spec.flavor === 'management';
  const nodeNames: string[] = [];
  const controlPlane = selfManaged ? (spec.controlPlaneNodes ?? 1) : 0;
  const total = nodes + controlPlane;
  for (let i = 0; i < total; i++) {
    const cp = i < controlPlane;
    const name = cp ? `${n}-control-plane-${i}` : `${n}-worker-${i}`;
    nodeNames.push(name);
    const labels: Record<string, string> = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${i % 3}` };
    if (cp) labels['node-role.kubernetes.io/control-plane'] = '';
    objects.push(
      obj(
        n,
        'v1',
        'Node',
        name,
        undefined,
        {
          spec: { providerID: `${spec.flavor === 'eks' ? 'aws' : spec.flavor === 'gke' ? 'gce' : spec.flavor === 'aks' ? 'azure' : 'vsphere'}://${uid(name)}` },
          status: {
            conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
            nodeInfo: { kubeletVersion: version, kubeProxyVersion: version, osImage: 'Ubuntu 22.04.4 LTS', containerRuntimeVersion: 'containerd://1.7.13', architecture: 'amd64', operatingSystem: 'linux' },
            addresses: [{ type: 'InternalIP', address: `10.0.0.${i + 10}` }, { type: 'Hostname', address: name }],
          },
        },
        labels,
      ),
    );
  }
  for (let i = 0; i < 2; i++) {
    objects.push(
      obj(
        n,
        'v1',
        'Pod',
        `coredns-${i}`,
        'kube-system',
        {
          spec: { nodeName: nodeNames[i % nodeNames.length], containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1' }] },
          status: { phase: 'Running' },
        },
        { 'k8s-app': 'kube-dns' },
      ),
    );
  }
  if (spec.flavor === 'management') {
    for (const m of ctx.managed) {
      objects.push(
        obj(n, 'cluster.x-k8s.io/v1beta1', 'Cluster', m.name, 'default', {
          spec: { topology: { class: 'tanzukubernetescluster', version: m.version ?? DEFAULT_VERSION.vsphere } },
          status: { phase: 'Provisioned', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-15T10:00:00Z' }] },
        }),
      );
      const c = objects[objects.length - 1];
      c.metadata.annotations = { [API_SERVER_URL_ANNOTATION]: ctx.serverUrlFor(m.name) };
    }
    for (const [name, cpus, memory] of [['best-effort-small', 2, '4Gi'], ['best-effort-medium', 2, '8Gi'], ['guaranteed-large', 4, '16Gi']] as const) {
      objects.push(obj(n, 'vmoperator.vmware.com/v1alpha1', 'VirtualMachineClass', name, undefined, { spec: { hardware: { cpus, memory } } }));
    }
    for (const name of ['vsan-default-storage-policy', 'gold-storage-policy']) {
      objects.push(obj(n, 'storage.k8s.io/v1', 'StorageClass', name, undefined, { provisioner: 'csi.vsphere.vmware.com', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' }));
    }
    for (const v of ['v1.30.4+vmware.1', 'v1.31.1+vmware.1']) {
      const name = v.replace(/\+/g, '---');
      objects.push(obj(n, 'run.tanzu.vmware.com/v1alpha3', 'TanzuKubernetesRelease', name, undefined, { spec: { version: v, kubernetes: { version: v } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }));
    }
  }
  const [major, minor] = version.replace(/^v/, '').split('.');
  return {
    spec: { name: n, flavor: spec.flavor, version, nodes, seed: spec.seed ?? 0, managedBy: spec.managedBy, region: spec.region, controlPlaneNodes: spec.controlPlaneNodes },
    versionInfo: { major, minor, gitVersion: version, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64' },
    objects,
    deprecatedApiUse: [],
  };
};
