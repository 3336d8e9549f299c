import { RegistryClusterFacts, upgradeBlockers } from './upgrade-eligibility';

export interface WaveSpec {
  name?: string | null;
  clusterCount?: number | null;
  clusterPercent?: number | null;
  soakMinutes?: number | null;
  requiresApproval?: boolean | null;
}

export type CampaignCandidate = RegistryClusterFacts & {
  id: string;
  /** The running campaign this cluster is already part of, if any. */
  activeCampaign?: string | null;
};

export interface PlannedWave {
  name: string;
  soakMinutes: number;
  requiresApproval: boolean;
  clusterIds: string[];
}

export interface CampaignPlan {
  waves: PlannedWave[];
  excluded: Array<{ clusterId: string; reason: string }>;
}

/** A wave specification that cannot be planned, naming the field. */
export class CampaignPlanError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** 1 canary cluster, then 10 % of the eligible clusters, then the rest (each after the default soak). */
export const DEFAULT_WAVES: WaveSpec[] = [{ name: 'canary', clusterCount: 1 }, { name: '10 percent', clusterPercent: 10 }, { name: 'rest' }];
export const DEFAULT_SOAK_MINUTES = 10;

/**
 * The one campaign planner: every selected cluster is either in exactly one wave or excluded with
 * the reason (the same rules as startUpgrade: upgradeBlockers). Clusters are ordered by name, so the
 * same fleet always plans the same way. A wave takes clusterCount clusters, or clusterPercent of the
 * eligible ones (rounded up, at least 1), or — without either, only as the last wave — the rest;
 * when the waves given leave clusters over, a last "rest" wave takes them. Empty waves are dropped.
 */
export function planCampaign(input: { targetVersion: string; clusters: CampaignCandidate[]; waves?: WaveSpec[] | null }): CampaignPlan {
  const specs = input.waves && input.waves.length > 0 ? input.waves : DEFAULT_WAVES;
  validateWaves(specs);
  const excluded: CampaignPlan['excluded'] = [];
  const eligible: CampaignCandidate[] = [];
  for (const c of [...input.clusters].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))) {
    if (c.activeCampaign) {
      excluded.push({ clusterId: c.id, reason: `cluster ${c.name} is already in running campaign ${c.activeCampaign}` });
      continue;
    }
    const blockers = upgradeBlockers(c, input.targetVersion);
    if (blockers.length > 0) excluded.push({ clusterId: c.id, reason: blockers.map((b) => b.reason).join('; ') });
    else eligible.push(c);
  }
  const total = eligible.length;
  const waves: PlannedWave[] = [];
  let next = 0;
  const all = [...specs];
  const last = all[all.length - 1];
  if (last.clusterCount != null || last.clusterPercent != null) all.push({ name: 'rest', soakMinutes: last.soakMinutes, requiresApproval: last.requiresApproval });
  all.forEach((s, i) => {
    const size = s.clusterCount != null ? s.clusterCount : s.clusterPercent != null ? Math.max(1, Math.ceil((total * s.clusterPercent) / 100)) : total - next;
    const ids = eligible.slice(next, next + size).map((c) => c.id);
    next += ids.length;
    if (ids.length === 0) return;
    waves.push({
      name: s.name?.trim() || `wave ${i + 1}`,
      soakMinutes: s.soakMinutes ?? DEFAULT_SOAK_MINUTES,
      requiresApproval: s.requiresApproval ?? false,
      clusterIds: ids,
    });
  });
  return { waves, excluded };
}

function validateWaves(specs: WaveSpec[]): void {
  specs.forEach((s, i) => {
    const f = `input.waves[${i}]`;
    if (s.clusterCount != null && s.clusterPercent != null) throw new CampaignPlanError(`${f}.clusterCount`, 'give clusterCount or clusterPercent, not both');
    if (s.clusterCount != null && (!Number.isInteger(s.clusterCount) || s.clusterCount < 1)) throw new CampaignPlanError(`${f}.clusterCount`, 'must be a whole number of at least 1');
    if (s.clusterPercent != null && (!Number.isInteger(s.clusterPercent) || s.clusterPercent < 1 || s.clusterPercent > 100)) {
      throw new CampaignPlanError(`${f}.clusterPercent`, 'must be a whole number from 1 to 100');
    }
    if (s.soakMinutes != null && (!Number.isInteger(s.soakMinutes) || s.soakMinutes < 0 || s.soakMinutes > 7 * 24 * 60)) {
      throw new CampaignPlanError(`${f}.soakMinutes`, 'must be a whole number of minutes from 0 to 10080 (a week)');
    }
    if (s.clusterCount == null && s.clusterPercent == null && i !== specs.length - 1) {
      throw new CampaignPlanError(`${f}.clusterCount`, 'only the last wave may take "the rest" (give clusterCount or clusterPercent)');
    }
    if (s.name != null && s.name.length > 100) throw new CampaignPlanError(`${f}.name`, 'must be at most 100 characters');
  });
  if (specs.length > 50) throw new CampaignPlanError('input.waves', 'at most 50 waves');
}
