/**
 * kube-sim's content generator: the fleet mix for --clusters N and what each simulated cluster holds.
 *
 * Guarantees the server and tests can rely on:
 * - fleetMix(N, seed): unique DNS-label names; fleetMix(1) is one generic cluster "k8s-lab-01";
 *   for N ≥ 2 slot 0 is "supervisor-01" (management) and slot 1 a vSphere cluster it manages; the first
 *   k specs of fleetMix(N) equal fleetMix(k) for k ≥ 2; one Supervisor per 200 vSphere clusters.
 *   `seed` is left unset on specs (generation mixes the fleet seed with the name).
 * - generateCluster(spec, ctx): pure and deterministic; every returned object is independent (no
 *   shared sub-objects), has apiVersion, kind, name, uid, creationTimestamp and labels, and no
 *   resourceVersion. Node kubeletVersion = spec version. A management cluster's Cluster objects carry
 *   API_SERVER_URL_ANNOTATION = ctx.serverUrlFor(name) and spec.topology.version = the managed spec's version.
 * - `node dist/apps/kube-sim/src/content/fleet-summary.script.js N SEED` lists names, risky RBAC,
 *   deprecated API use and upgrade targets; `content.bench.js` measures generation.
 */
import type { FleetMix, GenerateCluster } from './contract';
import { generateCluster as generate } from './cluster.generator';
import { fleetMix as mix } from './fleet-mix';

export const fleetMix: FleetMix = mix;
export const generateCluster: GenerateCluster = generate;
