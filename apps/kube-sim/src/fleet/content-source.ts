/**
 * Where cluster content comes from: the seeded generator in src/content when it is present, the
 * small fallback otherwise (so the server builds and runs while the generator is written).
 */
import type { FleetMix, GenerateCluster } from '../content/contract';
import { fallbackFleetMix, fallbackGenerateCluster } from './fallback-content';

export interface ContentSource {
  fleetMix: FleetMix;
  generateCluster: GenerateCluster;
  /** True when the fallback is in use. */
  fallback: boolean;
}

export function loadContentSource(): ContentSource {
  try {
    // A runtime require keeps the build independent of the generator's progress.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../content/index') as Partial<ContentSource>;
    if (typeof mod.fleetMix === 'function' && typeof mod.generateCluster === 'function') {
      return { fleetMix: mod.fleetMix, generateCluster: mod.generateCluster, fallback: false };
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes('content/index')) throw err;
  }
  return { fleetMix: fallbackFleetMix, generateCluster: fallbackGenerateCluster, fallback: true };
}
