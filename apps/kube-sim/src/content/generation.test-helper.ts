/** Shared helpers for the content tests (not shipped to the server). */
import type { ClusterSpec, GeneratedCluster, GenerationContext, KubeObject } from './contract';
import { generateCluster } from './index';

export function contextFor(fleetSeed: number, managed: ClusterSpec[] = []): GenerationContext {
  return { fleetSeed, managed, serverUrlFor: (name) => `https://127.0.0.1:6443/clusters/${name}` };
}

/** Generates a fleet the way the server does: management clusters see the specs they manage. */
export function generateFleet(specs: ClusterSpec[], fleetSeed: number): GeneratedCluster[] {
  return specs.map((spec) => generateCluster(spec, contextFor(fleetSeed, specs.filter((s) => s.managedBy === spec.name))));
}

export function ofKind(cluster: GeneratedCluster, kind: string): KubeObject[] {
  return cluster.objects.filter((o) => o.kind === kind);
}
