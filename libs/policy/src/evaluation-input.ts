import { createHash } from 'node:crypto';
import { PolicyDefinition, SnapshotKind } from './policy.types';

/**
 * What an AUDIT verdict depends on, as one digest: the evaluator's code (`evaluator`, a fingerprint
 * the caller computes once), the policy as evaluated (type, mode, spec, reach) and the digest of
 * every list it reads (`reads`: snapshotKindsFor the policy). evaluatePolicy is a pure function of
 * the policy and those lists, so the same digest means the same violations. Null when a list it
 * reads has no digest (not listed).
 */
export function evaluationInputDigest(
  evaluator: string,
  policy: PolicyDefinition,
  reads: readonly SnapshotKind[],
  listDigest: (kind: SnapshotKind) => string | undefined,
): string | null {
  const lists: Array<[SnapshotKind, string]> = [];
  for (const kind of reads) {
    const digest = listDigest(kind);
    if (digest === undefined) return null;
    lists.push([kind, digest]);
  }
  return createHash('sha256')
    .update(JSON.stringify([evaluator, policy.type, policy.mode, policy.spec, policy.reach ?? null, lists]))
    .digest('base64url');
}
