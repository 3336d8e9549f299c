/** Contract enums (CampaignStatus, WaveStatus, CampaignClusterStatus), spelled exactly. */
export type CampaignStatus = 'QUEUED' | 'WAITING_FOR_WINDOW' | 'RUNNING' | 'SOAKING' | 'WAITING_FOR_APPROVAL' | 'PAUSED' | 'HALTED' | 'SUCCEEDED' | 'CANCELLED';
export type WaveStatus = 'PENDING' | 'RUNNING' | 'SOAKING' | 'WAITING_FOR_APPROVAL' | 'SUCCEEDED' | 'HALTED' | 'CANCELLED';
export type CampaignClusterStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

export const ENDED_CAMPAIGN: ReadonlySet<CampaignStatus> = new Set(['HALTED', 'SUCCEEDED', 'CANCELLED']);

export interface StepWave {
  index: number;
  status: WaveStatus;
  soakMinutes: number;
  requiresApproval: boolean;
  approved: boolean;
  soakEndsAt: Date | null;
}

export interface StepCluster {
  clusterId: string;
  name: string;
  waveIndex: number;
  status: CampaignClusterStatus;
  /** The campaign's upgrade of the cluster, once started. */
  upgrade: { status: string; phase: string; error: string | null } | null;
  /** The registry's connection status of the cluster now. */
  clusterStatus: string;
}

export interface StepInput {
  now: Date;
  status: CampaignStatus;
  maxConcurrent: number | null;
  budget: { maxFailedClusters: number | null; maxFailedPercent: number | null };
  haltOnUnreachable: boolean;
  haltOnComplianceRegression: boolean;
  /** null: no maintenance window (always open). */
  windowOpen: boolean | null;
  waves: StepWave[];
  clusters: StepCluster[];
  /** For a SOAKING wave with the compliance halt: 'pending' until its re-scan ended, then the clusters that regressed. */
  compliance: 'pending' | { regressed: string[] } | null;
  /** How long a soak "minute" lasts (60 000 in production; tests shorten it). */
  minuteMs: number;
}

export interface StepDecision {
  status: CampaignStatus;
  statusReason: string | null;
  clusters: Array<{ clusterId: string; status: CampaignClusterStatus; reason: string | null }>;
  waves: Array<{ index: number; status: WaveStatus; started?: boolean; finished?: boolean; soakEndsAt?: Date }>;
  /** Clusters whose upgrade starts now (PENDING → RUNNING). */
  start: string[];
  /** Re-scan the wave's clusters for compliance (its soak began). */
  scanWave: number | null;
  /** Decide again at once (a wave ended and the next may begin). */
  again: boolean;
  /** Nothing will change any more: the loop may stop ticking the campaign. */
  done: boolean;
}

/**
 * One step of a campaign's state machine, pure: from what PostgreSQL holds now to what changes.
 * The caller applies the decision in the transaction that locked the campaign row, so any number
 * of worker replicas may call it and only one applies each step.
 */
export function decideCampaignStep(s: StepInput): StepDecision {
  const d: StepDecision = { status: s.status, statusReason: null, clusters: [], waves: [], start: [], scanWave: null, again: false, done: false };
  const clusters = s.clusters.map((c) => ({ ...c }));
  // 1. Every running upgrade that ended moves its cluster on (also when paused, halted, cancelled).
  for (const c of clusters) {
    if (c.status !== 'RUNNING' || !c.upgrade) continue;
    const u = c.upgrade;
    let next: CampaignClusterStatus | null = null;
    if (u.status === 'SUCCEEDED') next = 'SUCCEEDED';
    else if (u.status === 'FAILED' && u.phase === 'PREFLIGHT') next = 'SKIPPED'; // refused before anything changed
    else if (u.status === 'FAILED' || u.status === 'CANCELLED') next = 'FAILED';
    if (next) {
      c.status = next;
      d.clusters.push({ clusterId: c.clusterId, status: next, reason: u.error });
    }
  }
  const running = clusters.filter((c) => c.status === 'RUNNING');
  if (ENDED_CAMPAIGN.has(s.status) || s.status === 'PAUSED') {
    d.done = ENDED_CAMPAIGN.has(s.status) && running.length === 0;
    return d;
  }
  const currentWave = s.waves.find((w) => w.status !== 'SUCCEEDED');
  const halt = (reason: string): StepDecision => {
    d.status = 'HALTED';
    d.statusReason = reason;
    if (currentWave) d.waves.push({ index: currentWave.index, status: 'HALTED', finished: true });
    d.done = running.length === 0;
    return d;
  };
  // 2. Halts: the failure budget over the whole campaign, then a campaign cluster turning UNREACHABLE.
  const failed = clusters.filter((c) => c.status === 'FAILED');
  const total = clusters.length;
  const overCount = s.budget.maxFailedClusters != null && failed.length > s.budget.maxFailedClusters;
  const overPercent = s.budget.maxFailedPercent != null && total > 0 && (failed.length * 100) / total > s.budget.maxFailedPercent;
  if (overCount || overPercent) {
    const allowed = overCount ? `${s.budget.maxFailedClusters} failed cluster${s.budget.maxFailedClusters === 1 ? '' : 's'}` : `${s.budget.maxFailedPercent}% failed clusters`;
    return halt(`failure budget spent: ${failed.length} of ${total} clusters failed (${failed.map((c) => c.name).join(', ')}); the budget allows ${allowed}`);
  }
  if (s.haltOnUnreachable) {
    const gone = clusters.filter((c) => c.status !== 'SKIPPED' && c.clusterStatus === 'UNREACHABLE');
    if (gone.length > 0) return halt(`campaign clusters turned UNREACHABLE: ${gone.map((c) => c.name).join(', ')}`);
  }
  if (!currentWave) {
    d.status = 'SUCCEEDED';
    d.done = true;
    return d;
  }
  const windowOpen = s.windowOpen !== false;
  const w = currentWave;
  const inWave = clusters.filter((c) => c.waveIndex === w.index);
  // 3. A wave that has not begun waits for its approval, then for the window.
  if (w.status === 'PENDING' || w.status === 'WAITING_FOR_APPROVAL') {
    if (w.requiresApproval && !w.approved) {
      if (w.status !== 'WAITING_FOR_APPROVAL') d.waves.push({ index: w.index, status: 'WAITING_FOR_APPROVAL' });
      d.status = 'WAITING_FOR_APPROVAL';
      return d;
    }
    if (!windowOpen) {
      d.status = 'WAITING_FOR_WINDOW';
      return d;
    }
    d.waves.push({ index: w.index, status: 'RUNNING', started: true });
    w.status = 'RUNNING';
  }
  if (w.status === 'RUNNING') {
    const pending = inWave.filter((c) => c.status === 'PENDING');
    const active = running.length;
    if (windowOpen && pending.length > 0) {
      const room = s.maxConcurrent == null ? pending.length : Math.max(0, s.maxConcurrent - active);
      d.start = pending.slice(0, room).map((c) => c.clusterId);
    }
    if (active === 0 && pending.length === 0) {
      const soakMs = w.soakMinutes * s.minuteMs;
      if (soakMs === 0 && !s.haltOnComplianceRegression) {
        d.waves.push({ index: w.index, status: 'SUCCEEDED', finished: true });
        d.again = true;
        d.status = 'RUNNING';
        return d;
      }
      d.waves.push({ index: w.index, status: 'SOAKING', soakEndsAt: new Date(s.now.getTime() + soakMs) });
      if (s.haltOnComplianceRegression) d.scanWave = w.index;
      d.status = 'SOAKING';
      return d;
    }
    d.status = !windowOpen && active === 0 ? 'WAITING_FOR_WINDOW' : 'RUNNING';
    return d;
  }
  // 4. SOAKING: done when the soak time passed and (with the compliance halt) the re-scan ended clean.
  d.status = 'SOAKING';
  if (w.soakEndsAt && s.now.getTime() < w.soakEndsAt.getTime()) return d;
  if (s.haltOnComplianceRegression) {
    if (s.compliance === 'pending' || s.compliance === null) return d;
    if (s.compliance.regressed.length > 0) {
      return halt(`compliance regressed after wave ${w.index + 1}: ${s.compliance.regressed.join(', ')} compliant before the wave, non-compliant after it`);
    }
  }
  d.waves.push({ index: w.index, status: 'SUCCEEDED', finished: true });
  d.status = 'RUNNING';
  d.again = true;
  return d;
}
