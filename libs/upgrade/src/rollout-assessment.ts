import { KubeVersion, parseKubeVersion } from './kube-version';

export type RolloutPhase = 'CONTROL_PLANE' | 'WORKERS' | 'VERIFYING' | 'DONE';

export interface RolloutObservation {
  targetVersion: string;
  /** gitVersion from the workload cluster's /version. */
  controlPlaneVersion?: string;
  nodes: Array<{ name: string; controlPlane: boolean; ready: boolean; kubeletVersion: string }>;
  /** The Cluster API Cluster's status.conditions on the management cluster. */
  clusterConditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
}

export type RolloutAssessment = { phase: RolloutPhase; done: boolean; failed?: string; progress: string };

/**
 * Where a rollout stands, from one observation: the control plane first (API server version and
 * control-plane kubelets), then the workers, then every node Ready. Versions match on the core release
 * only: a TKR "v1.30.5---vmware.1-tkg.1" runs kubelets reporting "v1.30.5+vmware.1".
 */
export function assessRollout(obs: RolloutObservation): RolloutAssessment {
  const target = parseKubeVersion(obs.targetVersion);
  const want = `v${target.semver}`;
  const failed = failureOf(obs.clusterConditions ?? []);
  const at = (v: string | undefined) => v !== undefined && sameCore(v, target);

  const cps = obs.nodes.filter((n) => n.controlPlane);
  const workers = obs.nodes.filter((n) => !n.controlPlane);
  const withFailure = (a: RolloutAssessment): RolloutAssessment => (failed ? { ...a, done: false, failed } : a);

  if (obs.nodes.length === 0) return withFailure({ phase: 'CONTROL_PLANE', done: false, progress: 'no nodes reported yet' });

  const apiBehind = obs.controlPlaneVersion !== undefined && !at(obs.controlPlaneVersion);
  const cpsAt = cps.filter((n) => at(n.kubeletVersion)).length;
  if (apiBehind || cpsAt < cps.length) {
    const parts: string[] = [];
    if (obs.controlPlaneVersion !== undefined) parts.push(`API server at ${obs.controlPlaneVersion}`);
    if (cps.length > 0) parts.push(`${cpsAt}/${cps.length} control-plane nodes at ${want}`);
    return withFailure({ phase: 'CONTROL_PLANE', done: false, progress: parts.join(', ') });
  }

  const workersAt = workers.filter((n) => at(n.kubeletVersion)).length;
  if (workersAt < workers.length) {
    return withFailure({ phase: 'WORKERS', done: false, progress: `${workersAt}/${workers.length} workers at ${want}` });
  }

  const notReady = obs.nodes.filter((n) => !n.ready).map((n) => n.name);
  if (notReady.length > 0) {
    return withFailure({ phase: 'VERIFYING', done: false, progress: `all ${obs.nodes.length} nodes at ${want}; not Ready yet: ${notReady.join(', ')}` });
  }
  // Every node at the target and Ready: a stale failure condition no longer matters.
  return { phase: 'DONE', done: true, progress: `all ${obs.nodes.length} nodes at ${want} and Ready` };
}

function sameCore(raw: string, target: KubeVersion): boolean {
  try {
    return parseKubeVersion(raw).semver === target.semver;
  } catch {
    return false;
  }
}

/** A Cluster API condition that reports a failure: False with a *Failed* reason, or a *Failed* condition that is True. */
function failureOf(conditions: NonNullable<RolloutObservation['clusterConditions']>): string | undefined {
  for (const c of conditions) {
    const failedFalse = c.status === 'False' && /failed/i.test(c.reason ?? '');
    const failedTrue = c.status === 'True' && /failed$/i.test(c.type);
    if (failedFalse || failedTrue) {
      const detail = [c.reason, c.message].filter(Boolean).join(': ');
      return `Cluster condition ${c.type} is ${c.status}${detail ? ` (${detail})` : ''}`;
    }
  }
  return undefined;
}

/**
 * The deadline side of following a rollout (the worker keeps the clock): FAILED when the whole rollout
 * outlives `deadlineMs`, or when its progress string has not changed for `stallMs`.
 */
export function rolloutTimeout(t: { startedAt: number; lastProgressAt: number; now: number; deadlineMs: number; stallMs: number; progress: string }): string | undefined {
  if (t.now - t.startedAt > t.deadlineMs) return `the rollout did not finish within ${minutes(t.deadlineMs)} (last: ${t.progress})`;
  if (t.now - t.lastProgressAt > t.stallMs) return `the rollout made no progress for ${minutes(t.stallMs)} (stuck at: ${t.progress})`;
  return undefined;
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60000);
  return m >= 1 ? `${m} minute${m === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} seconds`;
}
