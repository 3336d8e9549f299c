/**
 * The --clusters N mix. Specs come from one sequential stream that never looks at N, so the first k
 * specs of fleetMix(N) are fleetMix(k) (for k ≥ 2) and tests can rely on names.
 */
import type { ClusterSpec, Flavor } from './contract';
import { LATEST_PATCH, formatVersion } from './kube-version';
import { SeededRandom } from './seeded-random';
import { VSPHERE_FLEET_MINORS, VSPHERE_RELEASES, vsphereVersion } from './vsphere-release.catalog';

/** One Supervisor per this many vSphere workload clusters. */
export const VSPHERE_CLUSTERS_PER_SUPERVISOR = 200;

const TEAMS = ['payments', 'checkout', 'platform', 'data', 'search', 'identity', 'ml', 'web', 'analytics', 'logistics', 'orders', 'billing'];
const VSPHERE_ENVS: ReadonlyArray<readonly [string, number]> = [['prod', 40], ['staging', 25], ['dev', 25], ['qa', 10]];
const VSPHERE_REGIONS = ['us-east-dc1', 'us-west-dc2', 'eu-central-dc1', 'ap-south-dc1'];
const GENERIC_PURPOSES = ['lab', 'edge', 'onprem', 'ci'];

export const CLOUD_REGIONS: Readonly<Record<'eks' | 'gke' | 'aks', readonly string[]>> = {
  eks: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1'],
  gke: ['us-central1', 'us-east1', 'europe-west1', 'europe-west4', 'asia-east1', 'asia-southeast1'],
  aks: ['eastus', 'eastus2', 'westus2', 'westeurope', 'northeurope', 'uksouth', 'southeastasia'],
};

/** Minors each provider's clusters spread over (weights), newest last. */
const FLEET_MINORS: Readonly<Record<Exclude<Flavor, 'vsphere' | 'management'>, ReadonlyArray<readonly [number, number]>>> = {
  eks: [[29, 15], [30, 30], [31, 35], [32, 20]],
  gke: [[30, 20], [31, 35], [32, 30], [33, 15]],
  aks: [[29, 10], [30, 35], [31, 35], [32, 20]],
  generic: [[29, 25], [30, 30], [31, 30], [32, 15]],
};

const FLAVOR_WEIGHTS: ReadonlyArray<readonly [Flavor, number]> = [['vsphere', 50], ['eks', 18], ['gke', 12], ['aks', 12], ['generic', 8]];

interface MixState {
  names: Set<string>;
  counters: Map<string, number>;
  vsphereCount: number;
  supervisors: Array<{ name: string; region: string }>;
}

function numbered(state: MixState, prefix: string): string {
  const n = (state.counters.get(prefix) ?? 0) + 1;
  state.counters.set(prefix, n);
  return `${prefix}-${String(n).padStart(2, '0')}`;
}

/** Region-named clusters repeat (two payments teams in us-east-1): the second gets "-2". */
function unique(state: MixState, name: string): string {
  let candidate = name;
  for (let i = 2; state.names.has(candidate); i++) candidate = `${name}-${i}`;
  return candidate;
}

function workerCount(rng: SeededRandom): number {
  return rng.weighted<() => number>([[() => 3, 25], [() => rng.int(4, 6), 45], [() => rng.int(7, 12), 30]])();
}

function vsphereSpecVersion(rng: SeededRandom, minors: readonly number[]): string {
  const minor = rng.weighted(minors.map((m, i) => [m, i === 0 ? 15 : 40 + i * 5] as const));
  return vsphereVersion(rng.pick(VSPHERE_RELEASES.filter((r) => r.minor === minor)));
}

function supervisorSpec(state: MixState, rng: SeededRandom): ClusterSpec {
  const region = VSPHERE_REGIONS[state.supervisors.length % VSPHERE_REGIONS.length];
  const name = numbered(state, 'supervisor');
  state.supervisors.push({ name, region });
  return { name, flavor: 'management', version: vsphereSpecVersion(rng, [30, 31]), nodes: 3, region };
}

function vsphereSpec(state: MixState, rng: SeededRandom): ClusterSpec {
  const supervisor = state.supervisors[Math.floor(state.vsphereCount / VSPHERE_CLUSTERS_PER_SUPERVISOR)];
  state.vsphereCount++;
  const name = numbered(state, `tkg-${rng.weighted(VSPHERE_ENVS)}`);
  return { name, flavor: 'vsphere', version: vsphereSpecVersion(rng, VSPHERE_FLEET_MINORS), nodes: workerCount(rng), managedBy: supervisor.name, region: supervisor.region };
}

function cloudSpec(state: MixState, rng: SeededRandom, flavor: 'eks' | 'gke' | 'aks' | 'generic'): ClusterSpec {
  const minor = rng.weighted(FLEET_MINORS[flavor]);
  const version = formatVersion(flavor, minor, rng.int(0, LATEST_PATCH[minor]), rng);
  if (flavor === 'generic') {
    return { name: numbered(state, `k8s-${rng.pick(GENERIC_PURPOSES)}`), flavor, version, nodes: workerCount(rng), region: rng.pick(VSPHERE_REGIONS) };
  }
  const region = rng.pick(CLOUD_REGIONS[flavor]);
  const name = unique(state, `${flavor}-${rng.pick(TEAMS)}-${region}`);
  return { name, flavor, version, nodes: workerCount(rng), region };
}

/** The endless stream behind fleetMix: slot 0 is a Supervisor, slot 1 a vSphere cluster it manages. */
function* fleetStream(fleetSeed: number): Generator<ClusterSpec> {
  const state: MixState = { names: new Set(), counters: new Map(), vsphereCount: 0, supervisors: [] };
  for (let slot = 0; ; slot++) {
    const rng = SeededRandom.forKey(fleetSeed, `fleet-slot:${slot}`);
    const flavor: Flavor = slot === 0 ? 'management' : slot === 1 ? 'vsphere' : rng.weighted(FLAVOR_WEIGHTS);
    let spec: ClusterSpec;
    if (flavor === 'management') spec = supervisorSpec(state, rng);
    else if (flavor === 'vsphere') {
      if (state.vsphereCount >= state.supervisors.length * VSPHERE_CLUSTERS_PER_SUPERVISOR) {
        // This Supervisor is full: the next one takes this slot, the vSphere cluster the one after.
        const extra = supervisorSpec(state, SeededRandom.forKey(fleetSeed, `fleet-supervisor:${state.supervisors.length}`));
        state.names.add(extra.name);
        yield extra;
      }
      spec = vsphereSpec(state, rng);
    } else spec = cloudSpec(state, rng, flavor);
    state.names.add(spec.name);
    yield spec;
  }
}

export function fleetMix(count: number, fleetSeed: number): ClusterSpec[] {
  if (count <= 0) return [];
  if (count === 1) {
    const rng = SeededRandom.forKey(fleetSeed, 'fleet-single');
    return [{ name: 'k8s-lab-01', flavor: 'generic', version: formatVersion('generic', 31, rng.int(0, LATEST_PATCH[31]), rng), nodes: 3, region: 'us-east-dc1' }];
  }
  const specs: ClusterSpec[] = [];
  for (const spec of fleetStream(fleetSeed)) {
    specs.push(spec);
    if (specs.length === count) break;
  }
  return specs;
}
