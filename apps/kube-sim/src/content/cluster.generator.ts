/**
 * Builds one simulated cluster from its spec: resolve defaults, then nodes first (workloads are
 * scheduled onto them), then namespaces, workloads, RBAC, policies and, on a management cluster,
 * Cluster API objects. Pure: the same spec and fleet seed give the same objects, byte for byte.
 */
import type { ClusterSpec, GeneratedCluster, GenerationContext, KubeObject } from './contract';
import { clusterCreatedMs, resolveSpec } from './cluster-spec.defaults';
import { type ClusterContext, rngFor } from './cluster-context';
import { parseKubeVersion, versionInfoFor } from './kube-version';
import { addAppWorkloads } from './app-workload.generator';
import { generateNodes } from './node.generator';
import { chooseAppNamespaces, generateNamespaces, namespaceDefaults } from './namespace.generator';
import { ObjectFactory } from './object-factory';
import { generateClusterApi, managementNamespaces } from './cluster-api.generator';
import { generateDeprecatedApiUse } from './deprecated-api.generator';
import { generateNamespacePolicies } from './namespace-policy.generator';
import { generateRbac } from './rbac.generator';
import { addSystemWorkloads } from './system-workload.generator';
import { WorkloadBuilder } from './workload.builder';

export function generateCluster(spec: ClusterSpec, gen: GenerationContext): GeneratedCluster {
  const resolved = resolveSpec(spec, gen.fleetSeed);
  const version = parseKubeVersion(resolved.version);
  const createdMs = clusterCreatedMs(resolved);
  const ctx: ClusterContext = { spec: resolved, version, factory: new ObjectFactory(resolved.seed, createdMs), gen, nodes: [] };

  const objects: KubeObject[] = generateNodes(ctx);
  const apps = chooseAppNamespaces(ctx);
  const management = resolved.flavor === 'management';
  const namespaces = generateNamespaces(ctx, apps, management ? managementNamespaces(gen.managed) : []);
  objects.push(...namespaces, ...namespaceDefaults(ctx, namespaces));
  const builder = new WorkloadBuilder(ctx, rngFor(ctx, 'workloads'));
  objects.push(...addSystemWorkloads(ctx, builder));
  objects.push(...addAppWorkloads(ctx, builder, apps));
  objects.push(...builder.objects);
  objects.push(...generateRbac(ctx, apps, objects));
  objects.push(...generateNamespacePolicies(ctx, apps, objects));
  if (management) objects.push(...generateClusterApi(ctx));

  return { spec: resolved, versionInfo: versionInfoFor(resolved.version), objects, deprecatedApiUse: generateDeprecatedApiUse(ctx) };
}
