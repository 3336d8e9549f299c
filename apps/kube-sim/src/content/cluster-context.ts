/** What every content generator gets: the resolved spec, its seeded randomness and object factory. */
import type { GeneratedCluster, GenerationContext } from './contract';
import type { KubeVersion } from './kube-version';
import type { ObjectFactory } from './object-factory';
import { SeededRandom } from './seeded-random';

export type ResolvedSpec = GeneratedCluster['spec'] & { region: string };

export interface SimNode {
  name: string;
  controlPlane: boolean;
  zone: string;
  ready: boolean;
  internalIP: string;
}

export interface ClusterContext {
  spec: ResolvedSpec;
  version: KubeVersion;
  factory: ObjectFactory;
  gen: GenerationContext;
  /** Nodes, filled in first so workloads can be scheduled onto them. */
  nodes: SimNode[];
}

/** An independent stream per concern, so adding content to one generator does not reshuffle the others. */
export function rngFor(ctx: ClusterContext, concern: string): SeededRandom {
  return SeededRandom.forKey(ctx.spec.seed, concern);
}

/** Self-managed flavors show their control plane as nodes and static pods; managed clouds hide it. */
export function showsControlPlane(ctx: ClusterContext): boolean {
  return ctx.spec.flavor === 'vsphere' || ctx.spec.flavor === 'generic' || ctx.spec.flavor === 'management';
}
