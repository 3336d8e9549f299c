/** Faults an operator (or a test) switches on per cluster through PUT /_sim/clusters/<name>/faults. */
import { z } from 'zod';

export const clusterFaultsSchema = z
  .object({
    /** Added to every API request, in milliseconds. */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** Fraction of API requests (0..1) answered with errorCode. */
    errorRate: z.number().min(0).max(1).optional(),
    errorCode: z.union([z.literal(500), z.literal(503)]).optional(),
    /** true or "reset": connections are dropped; "hang": requests are never answered. */
    down: z.union([z.boolean(), z.literal('reset'), z.literal('hang')]).optional(),
    /** true = every request gets 429; a number = that fraction of requests; an object sets Retry-After too. */
    throttle: z.union([z.boolean(), z.number().min(0).max(1), z.object({ rate: z.number().min(0).max(1).optional(), retryAfterSeconds: z.number().int().min(0).max(3600).optional() }).strict()]).optional(),
    /** true / "all": every bearer token of the cluster (admin included) is refused with 401; "service-accounts": only service-account tokens. */
    revokeTokens: z.union([z.boolean(), z.literal('all'), z.literal('service-accounts')]).optional(),
    /** A rollout on (or of) this cluster stops advancing until cleared. */
    rolloutStall: z.boolean().optional(),
    /** A rollout on (or of) this cluster fails at its next step. */
    rolloutFail: z.boolean().optional(),
    /** A Cluster provisioned on this management cluster (or the one being provisioned) fails at its next step. */
    provisionFail: z.boolean().optional(),
  })
  .strict();

export type ClusterFaults = z.infer<typeof clusterFaultsSchema>;
