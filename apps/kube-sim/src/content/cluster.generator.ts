/**
 * Builds one simulated cluster from its spec: resolve defaults, then nodes first (workloads are
 * scheduled onto them), then namespaces, workloads, RBAC, policies and, on a management cluster,
 * Cluster API objects. Pure: the same spec and fleet seed give the same objects, byte for byte.
 */
import type { ClusterSpec, Flavor, GeneratedCluster, GenerationContext, KubeObject } from './contract';
import { type ClusterContext, type ResolvedSpec, rngFor } from './cluster-context';
import { DEFAULT_VERSION, FLEET_EPOCH_MS, parseKubeVersion, versionInfoFor } from './kube-version';
import { addAppWorkloads } from './app-workload.generator';
import { generateNodes } from './node.generator';
import { chooseAppNamespaces, generateNamespaces, namespaceDefaults } from './namespace.generator';
import { ObjectFactory } from './object-factory';
import { hash32 } from './seeded-random';
import { addSystemWorkloads } from './system-workload.generator';
import { WorkloadBuilder } from './workload.builder';

export const DEFAULT_WORKERS: Readonly<Record<Flavor, number>> = { vsphere: 3, management: 3, eks: 5, gke: 4, aks: 3, generic: 3 };
export const DEFAULT_REGION: Readonly<Record<Flavor, string>> = {
  vsphere: 'us-east-dc1', management: 'us-east-dc1', eks: 'us-east-1', gke: 'us-central1', aks: 'eastus', generic: 'us-east-dc1',
};

export function resolveSpec(spec: ClusterSpec, fleetSeed: number): ResolvedSpec {
  const resolved: ResolvedSpec = {
    name: spec.name,
    flavor: spec.flavor,
    version: spec.version ?? DEFAULT_VERSION[spec.flavor],
    nodes: spec.nodes ?? DEFAULT_WORKERS[spec.flavor],
    seed: spec.seed ?? hash32(spec.name, fleetSeed),
    region: spec.region ?? DEFAULT_REGION[spec.flavor],
  };
  if (spec.managedBy !== undefined) resolved.managedBy = spec.managedBy;
  return resolved;
}

export function generateCluster(spec: ClusterSpec, gen: GenerationContext): GeneratedCluster {
  const resolved = resolveSpec(spec, gen.fleetSeed);
  const version = parseKubeVersion(resolved.version);
  const birth = rngFor({ spec: resolved } as ClusterContext, 'birth');
  // Clusters are 200–720 days old at the fleet epoch; app objects come later, within that span.
  const createdMs = FLEET_EPOCH_MS - birth.int(200, 720) * 86_400_000 - birth.int(0, 86_399) * 1000;
  const ctx: ClusterContext = { spec: resolved, version, factory: new ObjectFactory(resolved.seed, createdMs), gen, nodes: [] };

  const objects: KubeObject[] = generateNodes(ctx);
  const apps = chooseAppNamespaces(ctx);
  const namespaces = generateNamespaces(ctx, apps);
  objects.push(...namespaces, ...namespaceDefaults(ctx, namespaces));
  const builder = new WorkloadBuilder(ctx, rngFor(ctx, 'workloads'));
  objects.push(...addSystemWorkloads(ctx, builder));
  objects.push(...addAppWorkloads(ctx, builder, apps));
  objects.push(...builder.objects);

  return { spec: resolved, versionInfo: versionInfoFor(resolved.version), objects, deprecatedApiUse: [] };
}
