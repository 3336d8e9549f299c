/** kube-sim's content generator: the fleet mix for --clusters N and what each simulated cluster holds. */
import type { FleetMix, GenerateCluster } from './contract';
import { generateCluster as generate } from './cluster.generator';
import { fleetMix as mix } from './fleet-mix';

export const fleetMix: FleetMix = mix;
export const generateCluster: GenerateCluster = generate;
