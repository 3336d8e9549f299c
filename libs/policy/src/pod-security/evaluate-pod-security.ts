import { parsePodSecurityVersion } from './pod-security-version';
import { checksFor, NEWEST_MINOR } from './pod-security.registry';
import type { PodMeta } from './pod-security.types';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface PodSecurityResult {
  allowed: boolean;
  /** One entry per failing check: control = upstream check ID, reason and detail = upstream's text. */
  forbidden: Array<{ control: string; reason: string; detail: string }>;
}

/** Evaluate one pod spec as the Pod Security admission controller would at level:version. */
export function evaluatePodSecurity(
  level: 'baseline' | 'restricted',
  version: string,
  podMetadata: PodMeta,
  podSpec: Record<string, unknown>,
): PodSecurityResult {
  if (level !== 'baseline' && level !== 'restricted') throw new Error(`Pod Security level must be "baseline" or "restricted", got "${String(level)}"`);
  const minor = parsePodSecurityVersion(version, NEWEST_MINOR);
  const forbidden: PodSecurityResult['forbidden'] = [];
  for (const check of checksFor(level, minor)) {
    const result = check.checkPod(podMetadata, podSpec ?? {});
    if (!result.allowed) {
      // Upstream substitutes this when a check forgets its reason.
      forbidden.push({ control: check.id, reason: result.reason || 'unknown forbidden reason', detail: result.detail ?? '' });
    }
  }
  return { allowed: forbidden.length === 0, forbidden };
}

/** Upstream's aggregate message: `reason (detail), reason, …`. */
export function formatPodSecurityForbidden(result: PodSecurityResult): string {
  return result.forbidden.map((f) => (f.detail ? `${f.reason} (${f.detail})` : f.reason)).join(', ');
}

/** The strictest level every given pod spec meets. */
export function highestPodSecurityLevel(version: string, pods: Array<{ metadata?: any; spec: any }>): PodSecurityLevel {
  parsePodSecurityVersion(version, NEWEST_MINOR); // an invalid version is an error even with no pods
  const meets = (level: 'baseline' | 'restricted') => pods.every((p) => evaluatePodSecurity(level, version, p.metadata, p.spec ?? {}).allowed);
  if (meets('restricted')) return 'restricted';
  if (meets('baseline')) return 'baseline';
  return 'privileged';
}
