/** Which deprecated APIs a cluster's seeded clients call: about a third of clusters use one or two. */
import type { DeprecatedApiUse } from './contract';
import { type ClusterContext, rngFor } from './cluster-context';
import { deprecatedApisServedAt } from './deprecated-api.table';

export function generateDeprecatedApiUse(ctx: ClusterContext): DeprecatedApiUse[] {
  const rng = rngFor(ctx, 'deprecated-apis');
  const candidates = deprecatedApisServedAt(ctx.version.minor);
  if (!candidates.length || !rng.chance(0.35)) return [];
  const count = Math.min(candidates.length, rng.chance(0.6) ? 1 : 2);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(rng.weighted(candidates.map((c, i) => [i, c.weight] as const)));
  return [...chosen].sort((a, b) => a - b).map((i) => {
    const api = candidates[i];
    return { group: api.group, version: api.version, resource: api.resource, removedRelease: api.removed };
  });
}
