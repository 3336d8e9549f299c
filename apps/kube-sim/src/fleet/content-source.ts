/**
 * Where cluster content comes from: the seeded generator in src/content when it is present, the
 * small fallback otherwise (so the server builds and runs while the generator is written).
 */
import type { ClusterSpec, FleetMix, GenerateCluster } from '../content/contract';
import { fallbackFleetMix, fallbackGenerateCluster } from './fallback-content';

export interface ContentSource {
  fleetMix: FleetMix;
  generateCluster: GenerateCluster;
  /** True when the fallback is in use. */
  fallback: boolean;
  /**
   * Version and node count of a cluster without generating it (GET /_sim/clusters at 10,000
   * clusters cannot afford ~20 ms of generation each). Undefined when the generator offers no way.
   */
  summarize?: (spec: ClusterSpec, fleetSeed: number) => { version: string; nodes: number };
}

interface SpecDefaults {
  resolveSpec(spec: ClusterSpec, fleetSeed: number): { version: string; nodes: number; flavor: string };
  controlPlaneReplicas(spec: unknown): number;
}

function loadSummarizer(): ContentSource['summarize'] {
  try {
    // Not part of the seam's contract: used when present, else clusters are generated to count nodes.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const d = require('../content/cluster-spec.defaults') as Partial<SpecDefaults>;
    if (typeof d.resolveSpec !== 'function' || typeof d.controlPlaneReplicas !== 'function') return undefined;
    const { resolveSpec, controlPlaneReplicas } = d as SpecDefaults;
    return (spec, fleetSeed) => {
      const r = resolveSpec(spec, fleetSeed);
      return { version: r.version, nodes: r.nodes + controlPlaneReplicas(r) };
    };
  } catch {
    return undefined;
  }
}

export function loadContentSource(): ContentSource {
  try {
    // A runtime require keeps the build independent of the generator's progress.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../content/index') as Partial<ContentSource>;
    if (typeof mod.fleetMix === 'function' && typeof mod.generateCluster === 'function') {
      return { fleetMix: mod.fleetMix, generateCluster: mod.generateCluster, fallback: false, summarize: loadSummarizer() };
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes('content/index')) throw err;
  }
  return { fleetMix: fallbackFleetMix, generateCluster: fallbackGenerateCluster, fallback: true };
}
