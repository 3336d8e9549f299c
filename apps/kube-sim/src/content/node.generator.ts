/**
 * Nodes with the labels, providerIDs and status each provider's real nodes carry, since Flotilla's
 * provider detection and readiness checks read exactly these fields.
 */
import type { KubeObject } from './contract';
import { type ClusterContext, type SimNode, rngFor } from './cluster-context';
import { controlPlaneName, controlPlaneReplicas, machineDeploymentName, notReadyWorker } from './cluster-spec.defaults';
import { FLEET_EPOCH_MS, timestampAt } from './kube-version';
import type { SeededRandom } from './seeded-random';
import { tkrNameFor } from './vsphere-release.catalog';

interface InstanceType {
  name: string;
  cpu: number;
  memGi: number;
}

const INSTANCE_TYPES: Record<string, readonly InstanceType[]> = {
  vsphere: [
    { name: 'vsphere-vm.cpu-4.mem-16gb.os-ubuntu', cpu: 4, memGi: 16 },
    { name: 'vsphere-vm.cpu-8.mem-32gb.os-ubuntu', cpu: 8, memGi: 32 },
    { name: 'vsphere-vm.cpu-2.mem-8gb.os-photon', cpu: 2, memGi: 8 },
  ],
  eks: [
    { name: 'm5.xlarge', cpu: 4, memGi: 16 },
    { name: 'm6i.2xlarge', cpu: 8, memGi: 32 },
    { name: 'c6i.2xlarge', cpu: 8, memGi: 16 },
    { name: 'r6i.xlarge', cpu: 4, memGi: 32 },
  ],
  gke: [
    { name: 'e2-standard-4', cpu: 4, memGi: 16 },
    { name: 'n2-standard-8', cpu: 8, memGi: 32 },
    { name: 'e2-standard-8', cpu: 8, memGi: 32 },
  ],
  aks: [
    { name: 'Standard_D4s_v3', cpu: 4, memGi: 16 },
    { name: 'Standard_D8s_v5', cpu: 8, memGi: 32 },
    { name: 'Standard_E4s_v5', cpu: 4, memGi: 32 },
  ],
  generic: [
    { name: 'bare-metal', cpu: 16, memGi: 64 },
    { name: 'vm-medium', cpu: 4, memGi: 16 },
  ],
};

const OS: Record<string, { osImage: string; kernel: string; runtime: string }> = {
  vsphere: { osImage: 'Ubuntu 22.04.4 LTS', kernel: '5.15.0-119-generic', runtime: 'containerd://1.7.13+vmware.1' },
  management: { osImage: 'VMware Photon OS/Linux', kernel: '5.10.224-3.ph4-esx', runtime: 'containerd://1.7.13+vmware.1' },
  eks: { osImage: 'Amazon Linux 2023.5.20240916', kernel: '6.1.109-118.189.amzn2023.x86_64', runtime: 'containerd://1.7.22' },
  gke: { osImage: 'Container-Optimized OS from Google', kernel: '6.1.100+', runtime: 'containerd://1.7.22' },
  aks: { osImage: 'Ubuntu 22.04.5 LTS', kernel: '5.15.0-1073-azure', runtime: 'containerd://1.7.22-1' },
  generic: { osImage: 'Ubuntu 24.04.1 LTS', kernel: '6.8.0-45-generic', runtime: 'containerd://1.7.22' },
};

export function zonesFor(flavor: string, region: string): string[] {
  switch (flavor) {
    case 'eks':
      return ['a', 'b', 'c'].map((z) => `${region}${z}`);
    case 'gke':
      return ['a', 'b', 'c'].map((z) => `${region}-${z}`);
    case 'aks':
      return ['1', '2', '3'].map((z) => `${region}-${z}`);
    default:
      return ['zone-a', 'zone-b', 'zone-c'];
  }
}

/** "us-east-1" → "use1", "ap-southeast-1" → "apse1": the prefix AWS zone IDs use. */
function awsRegionCode(region: string): string {
  const [area, direction, number] = region.split('-');
  const compass: Record<string, string> = { east: 'e', west: 'w', north: 'n', south: 's', central: 'c', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw' };
  return `${area}${compass[direction] ?? direction[0]}${number}`;
}

function gceProject(ctx: ClusterContext): string {
  return `acme-${ctx.spec.name.split('-')[1] ?? 'prod'}-${(ctx.spec.seed % 9000) + 1000}`;
}

export function azureSubscription(ctx: ClusterContext): string {
  return ctx.factory.uid('AzureSubscription', ctx.spec.name);
}

interface NodeIdentity {
  name: string;
  providerID?: string;
  labels: Record<string, string>;
  internalIP: string;
}

function identity(ctx: ClusterContext, rng: SeededRandom, controlPlane: boolean, index: number, zone: string): NodeIdentity {
  const { flavor, name: cluster, region } = ctx.spec;
  const ipBase = (ctx.spec.seed >>> 8) % 250;
  switch (flavor) {
    case 'eks': {
      // The third octet is a bijection of the index, so node names never collide.
      const ip = `10.${ipBase}.${(index * 37) % 256}.${rng.int(1, 254)}`;
      const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
      const name = `ip-${ip.replace(/\./g, '-')}.${domain}`;
      return {
        name,
        internalIP: ip,
        providerID: `aws:///${zone}/i-0${rng.hex(16)}`,
        labels: {
          'eks.amazonaws.com/nodegroup': index % 2 === 0 ? 'ng-general' : 'ng-workers',
          'eks.amazonaws.com/nodegroup-image': `ami-0${ctx.factory.uid('Ami', cluster).replace(/-/g, '').slice(0, 16)}`,
          'eks.amazonaws.com/capacityType': 'ON_DEMAND',
          'topology.k8s.aws/zone-id': `${awsRegionCode(region)}-az${zone.slice(-1).charCodeAt(0) - 96}`,
        },
      };
    }
    case 'gke': {
      const pool = index % 3 === 2 ? 'pool-highmem' : 'default-pool';
      const name = `gke-${cluster.slice(0, 14).replace(/-$/, '')}-${pool}-${ctx.factory.uid('NodePool', pool).slice(0, 8)}-${rng.suffix(4)}`;
      return {
        name,
        internalIP: `10.128.${ipBase}.${index + 2}`,
        providerID: `gce://${gceProject(ctx)}/${zone}/${name}`,
        labels: {
          'cloud.google.com/gke-nodepool': pool,
          'cloud.google.com/gke-os-distribution': 'cos',
          'cloud.google.com/gke-boot-disk': 'pd-balanced',
          'cloud.google.com/machine-family': 'e2',
        },
      };
    }
    case 'aks': {
      const pool = index < 3 ? 'nodepool1' : 'userpool';
      const vmss = `aks-${pool}-${String(ctx.spec.seed % 100_000_000).padStart(8, '0')}-vmss`;
      const instance = index < 3 ? index : index - 3;
      const rg = `MC_rg-${cluster}_${cluster}_${region}`;
      return {
        name: `${vmss}${instance.toString(36).padStart(6, '0')}`,
        internalIP: `10.224.0.${index + 4}`,
        providerID: `azure:///subscriptions/${azureSubscription(ctx)}/resourceGroups/${rg.toLowerCase()}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmss}/virtualMachines/${instance}`,
        labels: {
          'kubernetes.azure.com/agentpool': pool,
          agentpool: pool,
          'kubernetes.azure.com/cluster': rg,
          'kubernetes.azure.com/mode': pool === 'nodepool1' ? 'system' : 'user',
          'kubernetes.azure.com/os-sku': 'Ubuntu',
        },
      };
    }
    case 'vsphere':
    case 'management': {
      const workerIndex = index - ctx.nodes.filter((n) => n.controlPlane).length;
      const pool = vspherePoolOf(ctx.spec.nodes, workerIndex);
      const vmId = `42${rng.hex(2)}${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
      const tkr = tkrNameFor(ctx.spec.version);
      let name: string;
      if (flavor === 'management') name = controlPlane ? vmId.replace(/-/g, '').slice(0, 32) : `esxi-${String(workerIndex + 1).padStart(2, '0')}.${region}.example.com`;
      else if (controlPlane) name = `${controlPlaneName(ctx.spec)}-${rng.suffix()}`;
      else name = `${machineDeploymentName(ctx.spec, pool)}-${rng.hex(9)}-${rng.suffix()}`;
      const labels: Record<string, string> = {
        'run.tanzu.vmware.com/tkr': tkr,
        'run.tanzu.vmware.com/kubernetesDistributionVersion': tkr,
      };
      if (!controlPlane && flavor === 'vsphere') labels['run.tanzu.vmware.com/node-pool'] = pool;
      return { name, internalIP: `10.${20 + (ipBase % 40)}.${ipBase}.${index + 10}`, providerID: `vsphere://${vmId}`, labels };
    }
    case 'generic':
      return {
        name: `${cluster}-${controlPlane ? 'cp' : 'worker'}-${index + 1}`,
        internalIP: `192.168.${ipBase}.${index + 10}`,
        labels: {},
      };
  }
}

function vspherePoolOf(workers: number, workerIndex: number): string {
  return workers >= 6 && workerIndex >= Math.ceil(workers / 2) ? 'node-pool-2' : 'node-pool-1';
}

function quantityKi(gi: number): string {
  return `${gi * 1024 * 1024 - 3_500}Ki`;
}

function nodeObject(ctx: ClusterContext, rng: SeededRandom, node: SimNode, id: NodeIdentity, type: InstanceType): KubeObject {
  const { flavor, version, region } = ctx.spec;
  const os = OS[flavor];
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': id.name,
    'kubernetes.io/os': 'linux',
  };
  if (flavor !== 'generic') {
    labels['node.kubernetes.io/instance-type'] = type.name;
    labels['beta.kubernetes.io/instance-type'] = type.name;
    labels['topology.kubernetes.io/region'] = region;
    labels['topology.kubernetes.io/zone'] = node.zone;
    labels['failure-domain.beta.kubernetes.io/region'] = region;
    labels['failure-domain.beta.kubernetes.io/zone'] = node.zone;
  }
  if (node.controlPlane) labels['node-role.kubernetes.io/control-plane'] = '';
  Object.assign(labels, id.labels);

  const taints: Array<Record<string, string>> = [];
  if (node.controlPlane) taints.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  const heartbeat = timestampAt(FLEET_EPOCH_MS - rng.int(5, 40) * 1000);
  const transition = ctx.factory.timestamp(rng.int(60, 600));
  const pressure = (type: string, reason: string, message: string) => ({
    type, status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: transition, reason, message,
  });
  const ready = node.ready
    ? { type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat, lastTransitionTime: transition, reason: 'KubeletReady', message: 'kubelet is posting ready status' }
    : { type: 'Ready', status: 'Unknown', lastHeartbeatTime: timestampAt(FLEET_EPOCH_MS - 3_600_000), lastTransitionTime: timestampAt(FLEET_EPOCH_MS - 3_500_000), reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };
  if (!node.ready) {
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: ready.lastTransitionTime });
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: ready.lastTransitionTime });
  }
  const capacity = { cpu: String(type.cpu), 'ephemeral-storage': '102687672Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: quantityKi(type.memGi), pods: flavor === 'eks' ? '58' : '110' };
  const allocatable = { ...capacity, cpu: `${type.cpu * 1000 - 80 - type.cpu * 10}m`, 'ephemeral-storage': '94635070922', memory: quantityKi(Math.floor(type.memGi * 0.9)) };
  const spec: Record<string, unknown> = {};
  if (flavor !== 'eks') {
    const cidr = `192.168.${ctx.nodes.length}.0/24`;
    spec.podCIDR = cidr;
    spec.podCIDRs = [cidr];
  }
  if (id.providerID) spec.providerID = id.providerID;
  if (taints.length) spec.taints = taints;
  const systemUUID = id.providerID?.startsWith('vsphere://') ? id.providerID.slice(10).toUpperCase() : ctx.factory.uid('SystemUUID', id.name).toUpperCase();
  return ctx.factory.object('v1', 'Node', id.name, {
    labels,
    annotations: {
      'node.alpha.kubernetes.io/ttl': '0',
      'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
    },
    ageOffsetSeconds: node.controlPlane ? 30 : 240 + rng.int(0, 120),
  }, {
    spec,
    status: {
      addresses: [{ type: 'InternalIP', address: id.internalIP }, { type: 'Hostname', address: id.name }],
      allocatable,
      capacity,
      conditions: [
        pressure('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        pressure('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        ready,
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: ctx.factory.uid('Boot', id.name),
        containerRuntimeVersion: os.runtime,
        kernelVersion: os.kernel,
        kubeProxyVersion: version,
        kubeletVersion: version,
        machineID: ctx.factory.uid('Machine', id.name).replace(/-/g, ''),
        operatingSystem: 'linux',
        osImage: os.osImage,
        systemUUID,
      },
    },
  });
}

/** Fills ctx.nodes and returns the Node objects. */
export function generateNodes(ctx: ClusterContext): KubeObject[] {
  const rng = rngFor(ctx, 'nodes');
  const { flavor, nodes: workers } = ctx.spec;
  const zones = zonesFor(flavor, ctx.spec.region);
  const controlPlanes = controlPlaneReplicas(ctx.spec);
  const types = INSTANCE_TYPES[flavor === 'management' ? 'vsphere' : flavor];
  const workerType = rng.pick(types);
  // A small share of clusters has one worker that stopped reporting (DEGRADED in Flotilla).
  const notReadyIndex = notReadyWorker(ctx.spec);
  const objects: KubeObject[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < controlPlanes + workers; i++) {
    const controlPlane = i < controlPlanes;
    const zone = zones[i % zones.length];
    let id = identity(ctx, rng, controlPlane, i, zone);
    // Random suffixes could (rarely) repeat; node names must not.
    while (seen.has(id.name)) id = identity(ctx, rng, controlPlane, i, zone);
    seen.add(id.name);
    const node: SimNode = { name: id.name, controlPlane, zone, ready: notReadyIndex < 0 || i - controlPlanes !== notReadyIndex, internalIP: id.internalIP };
    objects.push(nodeObject(ctx, rng, node, id, controlPlane ? types[0] : workerType));
    ctx.nodes.push(node);
  }
  return objects;
}
