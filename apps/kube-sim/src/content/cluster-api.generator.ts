/**
 * A management cluster's Cluster API view of the vSphere clusters it manages (one `Cluster` and one
 * or two `MachineDeployment`s each) and the Tanzu Kubernetes releases it offers. Flotilla links a
 * Cluster to its workload cluster by the API_SERVER_URL_ANNOTATION and upgrades it by patching
 * spec.topology.version, so those fields must agree with what the workload cluster reports.
 */
import { API_SERVER_URL_ANNOTATION, type ClusterSpec, type KubeObject } from './contract';
import type { ClusterContext } from './cluster-context';
import { clusterCreatedMs, controlPlaneName, controlPlaneReplicas, machineDeploymentName, notReadyWorker, resolveSpec, vspherePools } from './cluster-spec.defaults';
import { FLEET_EPOCH_MS, parseKubeVersion, releaseDateMs, timestampAt } from './kube-version';
import { VSPHERE_RELEASES, asVsphereVersion, tkrNameFor, tkrVersionFor, vsphereVersion } from './vsphere-release.catalog';

const CAPI = 'cluster.x-k8s.io/v1beta1';
const TKR_API = 'run.tanzu.vmware.com/v1alpha3';

/** vSphere Namespace holding a workload cluster's CAPI objects: "tkg-prod-03" → "tkg-prod". */
export function capiNamespaceFor(clusterName: string): string {
  const m = /^(tkg-[a-z]+)-\d+$/.exec(clusterName);
  return m ? m[1] : 'tkg-workloads';
}

export function managementNamespaces(managed: readonly ClusterSpec[]): string[] {
  return [...new Set(managed.map((m) => capiNamespaceFor(m.name)))].sort();
}

/** Versions (vSphere spelling) the Supervisor offers: its catalog plus whatever its clusters run. */
export function offeredVersions(managed: readonly ClusterSpec[], fleetSeed: number): string[] {
  const versions = new Map<string, string>();
  for (const r of VSPHERE_RELEASES) versions.set(tkrNameFor(vsphereVersion(r)), vsphereVersion(r));
  for (const m of managed) {
    const v = asVsphereVersion(resolveSpec(m, fleetSeed).version);
    versions.set(tkrNameFor(v), v);
  }
  return [...versions.values()].sort((a, b) => {
    const x = parseKubeVersion(a);
    const y = parseKubeVersion(b);
    return x.minor - y.minor || x.patch - y.patch || a.localeCompare(b);
  });
}

function condition(ctx: ClusterContext, type: string, at: number): Record<string, string> {
  return { lastTransitionTime: ctx.factory.timestamp(at), status: 'True', type };
}

function endpoint(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
}

function tkrObject(ctx: ClusterContext, version: string, age: number): KubeObject {
  const v = parseKubeVersion(version);
  const name = tkrNameFor(version);
  // TKRs carry their version prefixes as labels so selectors like "v1.30" resolve them.
  const labels: Record<string, string> = {
    [`v${v.major}`]: '', [`v${v.major}.${v.minor}`]: '', [`v${v.major}.${v.minor}.${v.patch}`]: '',
    [name.replace(/-tkg\.\d+$/, '')]: '', [name]: '',
    'os-arch': 'amd64', 'os-name': 'ubuntu', 'os-type': 'linux', 'os-version': '22.04',
  };
  return ctx.factory.object(TKR_API, 'TanzuKubernetesRelease', name, { labels, ageOffsetSeconds: age, generation: 1 }, {
    spec: {
      bootstrapPackages: [
        { name: `antrea.tanzu.vmware.com.1.13.3+vmware.1-tkg.1-vmware` },
        { name: `vsphere-pv-csi.tanzu.vmware.com.3.1.2+vmware.1-tkg.1-vmware` },
      ],
      kubernetes: {
        coredns: { imageTag: 'v1.11.1_vmware.7' },
        etcd: { imageTag: 'v3.5.12_vmware.5' },
        imageRepository: 'localhost:5000/vmware.io',
        pause: { imageTag: '3.9' },
        version,
      },
      osImages: [{ name: `ubuntu-2204-amd64-${name.replace(/-tkg\.\d+$/, '')}` }],
      version: tkrVersionFor(version),
    },
    status: { conditions: [condition(ctx, 'Compatible', age + 60), condition(ctx, 'Ready', age + 60)] },
  });
}

function clusterObjects(ctx: ClusterContext, managed: ClusterSpec, age: number): KubeObject[] {
  const spec = resolveSpec(managed, ctx.gen.fleetSeed);
  const namespace = capiNamespaceFor(spec.name);
  const url = ctx.gen.serverUrlFor(spec.name);
  const pools = vspherePools(spec.nodes);
  const tkr = tkrNameFor(asVsphereVersion(spec.version));
  const readyAt = age + 900;
  const clusterLabels = { 'run.tanzu.vmware.com/tkr': tkr, 'tkg.tanzu.vmware.com/cluster-name': spec.name };
  const cluster = ctx.factory.object(CAPI, 'Cluster', spec.name, {
    namespace, labels: clusterLabels, ageOffsetSeconds: age, generation: 2,
    annotations: { [API_SERVER_URL_ANNOTATION]: url, 'run.tanzu.vmware.com/resolve-tkr': '' },
  }, {
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, serviceDomain: 'cluster.local', services: { cidrBlocks: ['10.96.0.0/12'] } },
      controlPlaneEndpoint: endpoint(url),
      controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', name: controlPlaneName(spec), namespace },
      infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereCluster', name: `${spec.name}-${ctx.factory.uid('VSphereCluster', spec.name).slice(0, 5)}`, namespace },
      topology: {
        class: 'tanzukubernetescluster',
        controlPlane: { metadata: {}, replicas: controlPlaneReplicas(spec) },
        variables: [
          { name: 'vmClass', value: 'best-effort-medium' },
          { name: 'storageClass', value: 'vsan-default-storage-policy' },
          { name: 'ntp', value: 'time.example.com' },
        ],
        version: spec.version,
        workers: { machineDeployments: pools.map((p) => ({ class: 'node-pool', metadata: {}, name: p.name, replicas: p.replicas })) },
      },
    },
    status: {
      conditions: ['Ready', 'ControlPlaneInitialized', 'ControlPlaneReady', 'InfrastructureReady', 'TopologyReconciled'].map((t) => condition(ctx, t, readyAt)),
      controlPlaneReady: true,
      infrastructureReady: true,
      observedGeneration: 2,
      phase: 'Provisioned',
    },
  });
  const owner = [{ ...ctx.factory.ownerRef(CAPI, 'Cluster', spec.name, namespace), controller: false }];
  const unready = notReadyWorker(spec);
  let firstWorker = 0;
  const machineDeployments = pools.map((p) => {
    const name = machineDeploymentName(spec, p.name);
    // The workload cluster's NotReady worker shows here as an unavailable machine.
    const down = unready >= firstWorker && unready < firstWorker + p.replicas ? 1 : 0;
    firstWorker += p.replicas;
    const mdConditions = ['Ready', 'Available', 'MachineSetReady'].map((t) => condition(ctx, t, readyAt));
    if (down) Object.assign(mdConditions[0], { status: 'False', severity: 'Warning', reason: 'NodeNotReady', message: '1 of ' + p.replicas + ' machines is not ready', lastTransitionTime: timestampAt(FLEET_EPOCH_MS - 3_500_000) });
    const selector = { 'cluster.x-k8s.io/cluster-name': spec.name, 'topology.cluster.x-k8s.io/deployment-name': p.name, 'topology.cluster.x-k8s.io/owned': '' };
    return ctx.factory.object(CAPI, 'MachineDeployment', name, {
      namespace, labels: { ...selector }, ageOffsetSeconds: age + 60, generation: 1, ownerReferences: owner,
      annotations: { 'machinedeployment.clusters.x-k8s.io/revision': '1' },
    }, {
      spec: {
        clusterName: spec.name,
        minReadySeconds: 0,
        progressDeadlineSeconds: 600,
        replicas: p.replicas,
        revisionHistoryLimit: 1,
        selector: { matchLabels: { ...selector } },
        strategy: { rollingUpdate: { deletePolicy: 'Oldest', maxSurge: 1, maxUnavailable: 0 }, type: 'RollingUpdate' },
        template: {
          metadata: { labels: { ...selector } },
          spec: {
            bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: `${name}-bootstrap`, namespace } },
            clusterName: spec.name,
            infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: `${name}-infra`, namespace },
            version: spec.version,
          },
        },
      },
      status: {
        availableReplicas: p.replicas - down,
        conditions: mdConditions,
        observedGeneration: 1,
        phase: 'Running',
        readyReplicas: p.replicas - down,
        replicas: p.replicas,
        selector: Object.entries(selector).map(([k, v]) => (v ? `${k}=${v}` : k)).join(','),
        unavailableReplicas: down,
        updatedReplicas: p.replicas,
      },
    });
  });
  return [cluster, ...machineDeployments];
}

/** VM classes a Supervisor offers (vm-operator's VirtualMachineClass, cluster-scoped in v1alpha1). */
export const SUPERVISOR_VM_CLASSES: ReadonlyArray<{ name: string; cpus: number; memoryGi: number; guaranteed: boolean }> = [
  { name: 'best-effort-xsmall', cpus: 2, memoryGi: 2, guaranteed: false },
  { name: 'best-effort-small', cpus: 2, memoryGi: 4, guaranteed: false },
  { name: 'best-effort-medium', cpus: 2, memoryGi: 8, guaranteed: false },
  { name: 'best-effort-large', cpus: 4, memoryGi: 16, guaranteed: false },
  { name: 'guaranteed-medium', cpus: 2, memoryGi: 8, guaranteed: true },
  { name: 'guaranteed-large', cpus: 4, memoryGi: 16, guaranteed: true },
];

/** Storage classes a Supervisor offers (one per vSphere storage policy assigned to its namespaces). */
export const SUPERVISOR_STORAGE_CLASSES: readonly string[] = ['vsan-default-storage-policy', 'gold-storage-policy'];

export function vmClassObject(ctx: ClusterContext, c: (typeof SUPERVISOR_VM_CLASSES)[number]): KubeObject {
  const memory = `${c.memoryGi}Gi`;
  return ctx.factory.object('vmoperator.vmware.com/v1alpha1', 'VirtualMachineClass', c.name, { ageOffsetSeconds: 3_600, generation: 1 }, {
    spec: {
      hardware: { cpus: c.cpus, memory },
      ...(c.guaranteed ? { policies: { resources: { requests: { cpu: `${c.cpus * 1000}m`, memory } } } } : {}),
    },
  });
}

export function storageClassObject(ctx: ClusterContext, name: string, index: number): KubeObject {
  return ctx.factory.object('storage.k8s.io/v1', 'StorageClass', name, { ageOffsetSeconds: 3_600, annotations: index === 0 ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : undefined }, {
    allowVolumeExpansion: true,
    parameters: { storagePolicyID: ctx.factory.uid('StoragePolicy', name) },
    provisioner: 'csi.vsphere.vmware.com',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  });
}

export function generateClusterApi(ctx: ClusterContext): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const c of SUPERVISOR_VM_CLASSES) objects.push(vmClassObject(ctx, c));
  SUPERVISOR_STORAGE_CLASSES.forEach((name, i) => objects.push(storageClassObject(ctx, name, i)));
  const lastSecond = (FLEET_EPOCH_MS - ctx.factory.createdMs) / 1000 - 86_400;
  for (const version of offeredVersions(ctx.gen.managed, ctx.gen.fleetSeed)) {
    // A release appears on the Supervisor about two weeks after upstream ships that patch.
    const v = parseKubeVersion(version);
    const age = Math.round((releaseDateMs(v.minor, v.patch) + 14 * 86_400_000 - ctx.factory.createdMs) / 1000);
    objects.push(tkrObject(ctx, version, Math.min(lastSecond, Math.max(3_600, age))));
  }
  for (const managed of ctx.gen.managed) {
    // The Cluster object comes ten minutes before the workload cluster's own first objects.
    const age = Math.max(3_600, Math.round((clusterCreatedMs(resolveSpec(managed, ctx.gen.fleetSeed)) - ctx.factory.createdMs) / 1000) - 600);
    objects.push(...clusterObjects(ctx, managed, age));
  }
  return objects;
}
