import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AuditRepository,
  CampaignRepository,
  CampaignRow,
  CampaignSelector,
  ClusterInRunningCampaignError,
  CampaignStatusName,
} from '@flotilla/persistence';
import { CampaignEvents } from '@flotilla/notifications';
import { CampaignPlan, CampaignPlanError, ENDED_CAMPAIGN, parseKubeVersion, planCampaign } from '@flotilla/upgrade';
import { ScheduleError, maintenanceWindowAt, validateCron, validateTimezone } from '@flotilla/schedule';
import { dnsSubdomain, isUuid, kubeVersion } from '@flotilla/validation';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ViewerContext } from '../auth/viewer';
import { DomainError, ErrorCode, badInput, conflict, notFound } from '../common/domain.errors';
import { validateLabels } from '../common/labels';
import { CreateUpgradeCampaignInput } from './campaign.model';

const MAX_SELECTED_IDS = 10_000;

/** A validated campaign request, planned against the registry as it is now. */
interface PlannedCampaign {
  name: string;
  targetVersion: string;
  plan: CampaignPlan;
  window: { cron: string; durationMinutes: number; timezone: string } | null;
  maxConcurrent: number | null;
  budget: { maxFailedClusters: number | null; maxFailedPercent: number | null };
  haltOnUnreachable: boolean;
  haltOnComplianceRegression: boolean;
  inOtherCampaign: Array<{ clusterName: string; campaign: string }>;
}

/**
 * Upgrade campaigns from the API's side: plan (the pure planner of libs/upgrade over what the
 * registry holds), create in one transaction with its audit event, and the operator actions
 * (approve, pause, resume, cancel), each under the campaign row's lock so it never interleaves with
 * a step of the worker's loop. The worker's CampaignAdvancer does everything else.
 */
@Injectable()
export class CampaignService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly audit: AuditRepository,
    private readonly events: CampaignEvents,
  ) {}

  async preview(viewer: ViewerContext, input: CreateUpgradeCampaignInput): Promise<{ targetVersion: string; plan: CampaignPlan }> {
    const p = await this.plan(viewer, input);
    return { targetVersion: p.targetVersion, plan: p.plan };
  }

  async create(viewer: ViewerContext, input: CreateUpgradeCampaignInput): Promise<CampaignRow> {
    const p = await this.plan(viewer, input);
    if (p.inOtherCampaign.length > 0) {
      throw conflict('input.selector', `${describeBusy(p.inOtherCampaign)}: a cluster may be in one running campaign at a time; narrow the selector or wait for that campaign to end`);
    }
    const planned = p.plan.waves.reduce((n, w) => n + w.clusterIds.length, 0);
    if (planned === 0) {
      const why = p.plan.excluded.length > 0 ? `every selected cluster is excluded (${p.plan.excluded.length}; see previewUpgradeCampaign for the reasons)` : 'the selector takes no attached cluster';
      throw new DomainError(ErrorCode.FailedPrecondition, `nothing to upgrade to ${p.targetVersion}: ${why}`, 'input.selector');
    }
    try {
      return await this.db.transaction(async (tx) => {
        const exists = await tx.query(`SELECT 1 FROM upgrade_campaigns WHERE organization_id = $1 AND name = $2`, [viewer.organizationId, p.name]);
        if (exists.length > 0) throw conflict('input.name', `a campaign named ${p.name} exists already: choose another name`);
        const c = await this.campaigns.create(tx, viewer.organizationId, {
          name: p.name,
          targetVersion: p.targetVersion,
          maxConcurrent: p.maxConcurrent,
          maxFailedClusters: p.budget.maxFailedClusters,
          maxFailedPercent: p.budget.maxFailedPercent,
          haltOnUnreachable: p.haltOnUnreachable,
          haltOnComplianceRegression: p.haltOnComplianceRegression,
          window: p.window,
          createdBy: viewer.actor,
          createdByTokenId: viewer.tokenId,
          waves: p.plan.waves,
        });
        await this.audit.record(tx, viewer.organizationId, {
          actor: viewer.actor,
          action: 'campaign.create',
          targetType: 'UpgradeCampaign',
          targetId: c.id,
          details: {
            name: c.name,
            targetVersion: c.targetVersion,
            waves: p.plan.waves.map((w) => ({ name: w.name, clusters: w.clusterIds.length, soakMinutes: w.soakMinutes, requiresApproval: w.requiresApproval })),
            excluded: p.plan.excluded.length,
            window: p.window,
            budget: p.budget,
          },
        });
        return c;
      });
    } catch (err) {
      if (err instanceof ClusterInRunningCampaignError) {
        throw conflict('input.selector', `${describeBusy(err.clusters.map((c) => ({ clusterName: c.clusterName, campaign: c.campaignName })))}: a cluster may be in one running campaign at a time`);
      }
      if ((err as { code?: string }).code === '23505' && /upgrade_campaigns_organization_id_name_key/.test(String((err as { constraint?: string }).constraint))) {
        throw conflict('input.name', `a campaign named ${p.name} exists already: choose another name`);
      }
      throw err;
    }
  }

  get(viewer: ViewerContext, id: string): Promise<CampaignRow | null> {
    return this.campaigns.findById(viewer.organizationId, id);
  }

  list(viewer: ViewerContext, first: number, after?: string | null) {
    return this.campaigns.list(viewer.organizationId, first, after);
  }

  /** An ADMIN other than the campaign's creator (a different token) lets a wave that requires approval begin. */
  async approveWave(viewer: ViewerContext, id: string, waveIndex: number): Promise<CampaignRow> {
    return this.act(viewer, id, 'campaign.approve', async (tx, c) => {
      if (c.createdByTokenId && c.createdByTokenId === viewer.tokenId) {
        throw new DomainError(ErrorCode.Forbidden, `campaign ${c.name} was created with this token: a wave must be approved by another ADMIN (a different token)`, 'id');
      }
      if (ENDED_CAMPAIGN.has(c.status)) throw new DomainError(ErrorCode.FailedPrecondition, `campaign ${c.name} already ended ${c.status}: there is nothing to approve`, 'id');
      const waves = await this.campaigns.wavesOf(viewer.organizationId, [c.id], tx);
      const w = waves.find((x) => x.index === waveIndex);
      if (!w) throw badInput('waveIndex', `campaign ${c.name} has waves 0 to ${waves.length - 1}`);
      if (!w.requiresApproval) throw new DomainError(ErrorCode.FailedPrecondition, `wave ${waveIndex} (${w.name}) of campaign ${c.name} does not require approval`, 'waveIndex');
      if (w.approvedAt) return { details: { waveIndex, alreadyApprovedBy: w.approvedBy } };
      if (!(await this.campaigns.approveWave(tx, c.id, waveIndex, viewer.actor))) {
        throw new DomainError(ErrorCode.FailedPrecondition, `wave ${waveIndex} (${w.name}) of campaign ${c.name} is ${w.status}: it can no longer be approved`, 'waveIndex');
      }
      return { details: { waveIndex, wave: w.name } };
    });
  }

  /** Nothing new starts; running upgrades are followed to their end. */
  pause(viewer: ViewerContext, id: string): Promise<CampaignRow> {
    return this.act(viewer, id, 'campaign.pause', async (_tx, c) => {
      if (c.status === 'PAUSED') return { details: { already: true } };
      if (ENDED_CAMPAIGN.has(c.status)) throw new DomainError(ErrorCode.FailedPrecondition, `campaign ${c.name} already ended ${c.status}: it cannot be paused`, 'id');
      return { to: 'PAUSED', reason: `paused by ${viewer.actor}` };
    });
  }

  resume(viewer: ViewerContext, id: string): Promise<CampaignRow> {
    return this.act(viewer, id, 'campaign.resume', async (_tx, c) => {
      if (c.status !== 'PAUSED') throw new DomainError(ErrorCode.FailedPrecondition, `campaign ${c.name} is ${c.status}, not PAUSED: there is nothing to resume`, 'id');
      return { to: 'RUNNING', reason: null };
    });
  }

  /** Nothing new starts, clusters not started are SKIPPED; running upgrades are followed to their end, never interrupted. */
  cancel(viewer: ViewerContext, id: string): Promise<CampaignRow> {
    return this.act(viewer, id, 'campaign.cancel', async (tx, c) => {
      if (c.status === 'CANCELLED') return { details: { already: true } };
      if (ENDED_CAMPAIGN.has(c.status)) throw new DomainError(ErrorCode.FailedPrecondition, `campaign ${c.name} already ended ${c.status}: there is nothing to cancel`, 'id');
      const reason = `cancelled by ${viewer.actor}: nothing new starts; upgrades already running are followed to their end`;
      await this.campaigns.cancelRemaining(tx, c.id, `not started: campaign cancelled by ${viewer.actor}`);
      return { to: 'CANCELLED', reason };
    });
  }

  /** One operator action: lock the campaign, decide, record the transition and the audit event in one transaction, look again at once. */
  private async act(
    viewer: ViewerContext,
    id: string,
    action: string,
    decide: (tx: import('typeorm').EntityManager, c: CampaignRow) => Promise<{ to?: CampaignStatusName; reason?: string | null; details?: Record<string, unknown> }>,
  ): Promise<CampaignRow> {
    if (!isUuid(id)) throw notFound('upgrade campaign', id);
    return this.db.transaction(async (tx) => {
      const c = await this.campaigns.findById(viewer.organizationId, id, tx, true);
      if (!c) throw notFound('upgrade campaign', id);
      const d = await decide(tx, c);
      if (d.to && d.to !== c.status) {
        await this.campaigns.setStatus(tx, c.id, d.to, d.reason ?? null);
        await this.events.transitioned(tx, c, c.status, d.to, { actor: viewer.actor, reason: d.reason });
      }
      await this.campaigns.tickNow(tx, c.id);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action,
        targetType: 'UpgradeCampaign',
        targetId: c.id,
        details: { campaign: c.name, from: c.status, to: d.to ?? c.status, ...(d.details ?? {}) },
      });
      return (await this.campaigns.findById(viewer.organizationId, id, tx)) as CampaignRow;
    });
  }

  private async plan(viewer: ViewerContext, input: CreateUpgradeCampaignInput): Promise<PlannedCampaign> {
    const name = dnsSubdomain(input.name?.trim() ?? '', 'input.name', 100);
    const targetVersion = kubeVersion(input.targetVersion, 'input.targetVersion');
    let targetMinor: string;
    try {
      const t = parseKubeVersion(targetVersion);
      targetMinor = `${t.major}.${t.minor}`;
    } catch (err) {
      throw badInput('input.targetVersion', (err as Error).message);
    }
    const selector = this.selector(input);
    const intIn = (v: number | null | undefined, field: string, min: number, max: number): number | null => {
      if (v === null || v === undefined) return null;
      if (!Number.isInteger(v) || v < min || v > max) throw badInput(field, `must be a whole number from ${min} to ${max}`);
      return v;
    };
    const maxConcurrent = intIn(input.maxConcurrent, 'input.maxConcurrent', 1, 10_000);
    const budget = {
      maxFailedClusters: intIn(input.failureBudget?.maxFailedClusters, 'input.failureBudget.maxFailedClusters', 0, 100_000),
      maxFailedPercent: intIn(input.failureBudget?.maxFailedPercent, 'input.failureBudget.maxFailedPercent', 0, 100),
    };
    let window: PlannedCampaign['window'] = null;
    if (input.maintenanceWindow) {
      const w = input.maintenanceWindow;
      try {
        window = {
          cron: validateCron(w.cron),
          durationMinutes: intIn(w.durationMinutes, 'input.maintenanceWindow.durationMinutes', 1, 7 * 24 * 60) as number,
          timezone: validateTimezone(w.timezone ?? 'UTC'),
        };
      } catch (err) {
        if (err instanceof ScheduleError) throw badInput(`input.maintenanceWindow.${err.field}`, err.message);
        throw err;
      }
    }
    const rows = await this.campaigns.candidates(viewer.organizationId, selector, targetMinor);
    let plan: CampaignPlan;
    try {
      plan = planCampaign({ targetVersion, clusters: rows, waves: input.waves });
    } catch (err) {
      if (err instanceof CampaignPlanError) throw badInput(err.field, err.message);
      throw err;
    }
    return {
      name,
      targetVersion,
      plan,
      window,
      maxConcurrent,
      budget,
      haltOnUnreachable: input.haltOn?.onUnreachable ?? false,
      haltOnComplianceRegression: input.haltOn?.onComplianceRegression ?? false,
      inOtherCampaign: rows.filter((r) => r.activeCampaign).map((r) => ({ clusterName: r.name, campaign: r.activeCampaign as string })),
    };
  }

  private selector(input: CreateUpgradeCampaignInput): CampaignSelector {
    const s = input.selector ?? {};
    const ids = (v: string[] | null | undefined, field: string): string[] | null => {
      if (!v || v.length === 0) return null;
      if (v.length > MAX_SELECTED_IDS) throw badInput(field, `at most ${MAX_SELECTED_IDS} ids`);
      const bad = v.findIndex((x) => !isUuid(x));
      if (bad >= 0) throw badInput(`${field}[${bad}]`, 'must be an id');
      return [...new Set(v)];
    };
    const out: CampaignSelector = {
      clusterIds: ids(s.clusterIds, 'input.selector.clusterIds'),
      groupIds: ids(s.groupIds, 'input.selector.groupIds'),
      labels: s.labels && s.labels.length > 0 ? validateLabels(s.labels, 'input.selector.labels') : null,
      providers: s.providers && s.providers.length > 0 ? [...new Set(s.providers)] : null,
    };
    if (!out.clusterIds && !out.groupIds && !out.labels && !out.providers) {
      throw badInput('input.selector', 'name at least one of clusterIds, groupIds, labels or providers (a campaign never selects the whole fleet by omission)');
    }
    return out;
  }
}

function describeBusy(list: Array<{ clusterName: string; campaign: string }>): string {
  const shown = list.slice(0, 10).map((b) => `${b.clusterName} (in campaign ${b.campaign})`).join(', ');
  return `${list.length === 1 ? 'cluster' : 'clusters'} ${shown}${list.length > 10 ? ` and ${list.length - 10} more` : ''} already in a running campaign`;
}

/** When the campaign's maintenance window opens next (now, when open); null without a window. */
export function nextOpensAt(c: CampaignRow, now = new Date()): Date | null {
  if (!c.windowCron || !c.windowDurationMinutes) return null;
  const w = maintenanceWindowAt({ cron: c.windowCron, durationMinutes: c.windowDurationMinutes, timezone: c.windowTimezone ?? 'UTC' }, now);
  return w.open ? now : w.opensAt;
}
