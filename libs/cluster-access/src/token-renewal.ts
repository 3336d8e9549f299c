/**
 * Short-lived cluster credentials (TokenRequest tokens), as pure rules: how long one may live,
 * when Flotilla renews it, how it backs off after a failed renewal, and what an expired one says.
 * The I/O (the TokenRequest, the atomic swap of the stored credential) is the worker's, near sync.
 *
 * Renewal at ≤ 20 % of the token's life left, as OCM's managed-serviceaccount does: a 24 h token is
 * renewed with ~4.8 h to spare, so a cluster (or Flotilla) may be down for hours without the
 * credential lapsing, and a failed renewal has many retries before it matters.
 */

/** The lifetime attach asks for when `--token-ttl` is not given. */
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;
/** kube-apiserver refuses a TokenRequest shorter than 10 minutes. */
export const MIN_TOKEN_TTL_SECONDS = 10 * 60;
/** kube-apiserver's upper bound for spec.expirationSeconds (2^32 s). */
export const MAX_TOKEN_TTL_SECONDS = 2 ** 32;
/** Renew once this fraction of the token's life (or less) is left. */
export const RENEW_AT_REMAINING_FRACTION = 0.2;
/** First retry after a failed renewal; doubles per failure. */
export const RENEWAL_RETRY_BASE_SECONDS = 30;
/** Longest pause between renewal attempts (never beyond what is left of the token, see below). */
export const RENEWAL_RETRY_MAX_SECONDS = 15 * 60;

/** What is known of a stored credential's life. A credential without expiresAt is long-lived (legacy token Secret). */
export interface CredentialLife {
  issuedAt: Date;
  expiresAt: Date;
}

export type RenewalDecision =
  /** More than 20 % of its life left: use it. */
  | { action: 'keep'; renewAt: Date }
  /** ≤ 20 % left: renew now (the current token still works meanwhile). */
  | { action: 'renew'; lifetimeSeconds: number }
  /** A renewal failed recently: use the current token, try again at retryAt. */
  | { action: 'wait'; retryAt: Date }
  /** Past its expiry: the token no longer authenticates, and cannot renew itself. */
  | { action: 'expired'; expiredAt: Date };

/**
 * When to renew. `retryAt` is the earliest next attempt after a failed one (null when none failed).
 * The lifetime asked for on renewal is the credential's own (what the operator chose at attach).
 */
export function renewalDecision(life: CredentialLife, now: Date, retryAt: Date | null = null): RenewalDecision {
  const issued = life.issuedAt.getTime();
  const expires = life.expiresAt.getTime();
  const t = now.getTime();
  if (t >= expires) return { action: 'expired', expiredAt: life.expiresAt };
  const lifetimeMs = Math.max(0, expires - issued);
  // An issue time at or after the expiry (clock skew) gives no life to measure: renew.
  const renewAt = lifetimeMs > 0 ? expires - lifetimeMs * RENEW_AT_REMAINING_FRACTION : t;
  if (t < renewAt) return { action: 'keep', renewAt: new Date(renewAt) };
  if (retryAt && t < retryAt.getTime()) return { action: 'wait', retryAt };
  return { action: 'renew', lifetimeSeconds: renewalLifetimeSeconds(lifetimeMs / 1000) };
}

/** The lifetime to ask for, within what kube-apiserver accepts. */
export function renewalLifetimeSeconds(lifetimeSeconds: number): number {
  const s = Math.round(lifetimeSeconds);
  return Math.min(MAX_TOKEN_TTL_SECONDS, Math.max(MIN_TOKEN_TTL_SECONDS, Number.isFinite(s) ? s : DEFAULT_TOKEN_TTL_SECONDS));
}

/**
 * The next attempt after `failures` consecutive failed renewals (1 = the first failure): 30 s, 1 min,
 * 2 min … up to 15 min, but never later than halfway to the expiry, so the last stretch before a
 * credential lapses is tried more often, not less.
 */
export function renewalRetryAt(failures: number, now: Date, expiresAt: Date): Date {
  const n = Math.max(1, Math.floor(failures));
  const backoffMs = Math.min(RENEWAL_RETRY_MAX_SECONDS, RENEWAL_RETRY_BASE_SECONDS * 2 ** Math.min(n - 1, 20)) * 1000;
  const halfwayMs = Math.max(1000, (expiresAt.getTime() - now.getTime()) / 2);
  return new Date(now.getTime() + Math.min(backoffMs, halfwayMs));
}

/** The status reason of a cluster whose credential lapsed: what happened and the one command that fixes it. */
export function credentialExpiredReason(clusterName: string, expiredAt: Date): string {
  return `credential expired at ${expiredAt.toISOString()}; run \`flotilla cluster attach ${clusterName} --update\``;
}

/** Thrown (and recorded as the cluster's status reason) when the stored credential's expiry has passed. */
export class CredentialExpiredError extends Error {
  constructor(
    clusterName: string,
    readonly expiredAt: Date,
  ) {
    super(credentialExpiredReason(clusterName, expiredAt));
    this.name = 'CredentialExpiredError';
  }
}

/**
 * A `--token-ttl` value in seconds: "24h", "90m", "600s", "1h30m" or a bare number of seconds.
 * A problem is a sentence naming what is wrong (the caller prefixes the flag).
 */
export function parseTokenTtl(raw: string): { seconds: number } | { problem: string } {
  const text = raw.trim();
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else {
    const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
    if (!text || !m || m.slice(1).every((g) => g === undefined)) {
      return { problem: `${JSON.stringify(raw.slice(0, 40))} is not a duration (for example 24h, 90m, 1h30m or 3600)` };
    }
    const [d, h, min, s] = m.slice(1).map((g) => Number(g ?? 0));
    seconds = ((d * 24 + h) * 60 + min) * 60 + s;
  }
  if (seconds < MIN_TOKEN_TTL_SECONDS) return { problem: `must be at least 10 minutes (600 s), as Kubernetes' TokenRequest requires; got ${seconds} s` };
  if (seconds > MAX_TOKEN_TTL_SECONDS) return { problem: `must be at most ${MAX_TOKEN_TTL_SECONDS} s (Kubernetes' limit)` };
  return { seconds };
}
