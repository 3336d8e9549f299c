/**
 * When a cluster whose sync failed is tried again: sooner than a whole interval (so a cluster that
 * stopped answering is UNREACHABLE within seconds of the first failed sync, not after several
 * intervals), doubling per consecutive failure, and never later than one interval (so a cluster
 * that answers again is CONNECTED at its next sync, at most one interval later). At the default
 * 60 s interval: 5 s, 10 s, 20 s, 40 s, then every 60 s. The repository applies it as
 * `least(max, base · 2^(failures − 1))`.
 */
export interface SyncBackoff {
  baseSeconds: number;
  maxSeconds: number;
}

export function syncBackoff(intervalSeconds: number): SyncBackoff {
  return { baseSeconds: Math.max(1, intervalSeconds / 12), maxSeconds: intervalSeconds };
}

/** The delay after the `failures`-th consecutive failure (1 = the first), as the repository computes it. */
export function syncRetryDelaySeconds(failures: number, b: SyncBackoff): number {
  return Math.min(b.maxSeconds, b.baseSeconds * 2 ** Math.min(Math.max(0, failures - 1), 10));
}

/**
 * How long after its first failed sync begins a cluster that stopped answering is UNREACHABLE at
 * the latest: the retries in between, plus every attempt running into the request timeout.
 */
export function unreachableWithinSeconds(intervalSeconds: number, unreachableAfter: number, timeoutSeconds: number): number {
  const b = syncBackoff(intervalSeconds);
  let total = unreachableAfter * timeoutSeconds;
  for (let f = 1; f < unreachableAfter; f++) total += syncRetryDelaySeconds(f, b);
  return total;
}
