import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { AuditRepository, CampaignClusterRow, CampaignRepository, CampaignRow, ClusterRepository, ManagementCatalogRepository, NewUpgrade } from '@flotilla/persistence';
import { PollingLoop, UpgradeStarter } from '@flotilla/queue';
import { CampaignEvents } from '@flotilla/notifications';
import { ScanStarter } from '@flotilla/compliance';
import { maintenanceWindowAt } from '@flotilla/schedule';
import { StepDecision, decideCampaignStep, offeredSpelling } from '@flotilla/upgrade';
import { redactText } from '@flotilla/observability';
import { APP_CONFIG, DATA_SOURCE } from '@flotilla/infrastructure';

const WORKER_ACTOR = 'flotilla-worker';
/** Steps applied to one campaign in one claim when a wave ended and the next may begin at once. */
const MAX_STEPS_PER_CLAIM = 8;

/**
 * The campaign loop, PostgreSQL-clocked: every worker replica runs it; each step claims one due
 * campaign row with FOR UPDATE SKIP LOCKED, decides (the pure decideCampaignStep of libs/upgrade,
 * with the database's now()) and applies the decision in that same transaction. Starting a
 * cluster's upgrade (upgrade row + outbox job + audit) and moving the campaign cluster from PENDING
 * to RUNNING with its upgrade id is one transaction: a worker killed at any moment either did both
 * or neither, and the PENDING guard plus UNIQUE(upgrade_id) keep a cluster from starting twice.
 * The upgrades themselves run on the existing machinery (run-upgrade jobs, pre-flight at start,
 * RolloutFollower); the loop only reads how they ended.
 */
@Injectable()
export class CampaignAdvancer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CampaignAdvancer.name);
  private readonly loop: PollingLoop;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly clusters: ClusterRepository,
    private readonly catalogs: ManagementCatalogRepository,
    private readonly starter: UpgradeStarter,
    private readonly scans: ScanStarter,
    private readonly audit: AuditRepository,
    private readonly events: CampaignEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new PollingLoop(() => this.advanceOne(), {
      intervalMs: Math.min(1000, this.config.campaign.tickMs),
      onError: (err) => this.logger.warn({ error: redactText(err.message) }, 'could not advance a campaign'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Claims and advances one due campaign; true when one was (others may be due too). */
  advanceOne(): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const claimed = await this.campaigns.claimDue(tx);
      if (!claimed) return false;
      await this.advance(tx, claimed.campaign, claimed.now);
      return true;
    });
  }

  private async advance(tx: EntityManager, campaign: CampaignRow, now: Date): Promise<void> {
    let c = campaign;
    let d: StepDecision | null = null;
    for (let step = 0; step < MAX_STEPS_PER_CLAIM; step++) {
      const [waves, members] = await Promise.all([this.campaigns.wavesOf(c.organizationId, [c.id], tx), this.campaigns.clustersOf(c.organizationId, [c.id], tx)]);
      const current = waves.find((w) => w.status !== 'SUCCEEDED');
      let compliance: 'pending' | { regressed: string[] } | null = null;
      if (c.haltOnComplianceRegression && current?.status === 'SOAKING') {
        compliance = current.soakScanId ? await this.campaigns.regressedAfterScan(tx, current.soakScanId, current.baselineCompliant ?? []) : { regressed: [] };
      }
      d = decideCampaignStep({
        now,
        status: c.status,
        maxConcurrent: c.maxConcurrent,
        budget: { maxFailedClusters: c.maxFailedClusters, maxFailedPercent: c.maxFailedPercent },
        haltOnUnreachable: c.haltOnUnreachable,
        haltOnComplianceRegression: c.haltOnComplianceRegression,
        windowOpen: c.windowCron ? maintenanceWindowAt({ cron: c.windowCron, durationMinutes: c.windowDurationMinutes ?? 0, timezone: c.windowTimezone ?? 'UTC' }, now).open : null,
        waves: waves.map((w) => ({ index: w.index, status: w.status, soakMinutes: w.soakMinutes, requiresApproval: w.requiresApproval, approved: w.approvedAt !== null, soakEndsAt: w.soakEndsAt })),
        clusters: members.map((m) => ({
          clusterId: m.clusterId,
          name: m.clusterName,
          waveIndex: m.waveIndex,
          status: m.status,
          upgrade: m.upgradeStatus ? { status: m.upgradeStatus, phase: m.upgradePhase ?? 'PREFLIGHT', error: m.upgradeError } : null,
          clusterStatus: m.clusterStatus,
        })),
        compliance,
        minuteMs: this.config.campaign.soakMinuteSeconds * 1000,
      });
      await this.campaigns.recordClusterEnds(tx, c.id, d.clusters);
      for (const w of d.waves) {
        const baselineCompliant = w.started && c.haltOnComplianceRegression ? await this.campaigns.compliantNow(tx, members.filter((m) => m.waveIndex === w.index).map((m) => m.clusterId)) : undefined;
        await this.campaigns.updateWave(tx, c.id, { ...w, baselineCompliant });
      }
      if (d.scanWave !== null) await this.rescan(tx, c, d.scanWave, members);
      if (d.start.length > 0) await this.startUpgrades(tx, c, members.filter((m) => d!.start.includes(m.clusterId)));
      if (d.status !== c.status || (d.statusReason && d.statusReason !== c.statusReason)) {
        await this.campaigns.setStatus(tx, c.id, d.status, d.statusReason);
        await this.events.transitioned(tx, c, c.status, d.status, { actor: WORKER_ACTOR, reason: d.statusReason });
        c = { ...c, status: d.status, statusReason: d.statusReason };
      }
      if (!d.again) break;
    }
    await this.campaigns.scheduleNext(tx, c.id, d?.done ? null : d?.again ? 0 : this.config.campaign.tickMs);
  }

  /** The wave's soak began: re-scan its clusters for compliance (compared with the baseline at soak end). */
  private async rescan(tx: EntityManager, c: CampaignRow, waveIndex: number, members: CampaignClusterRow[]): Promise<void> {
    const clusterIds = members.filter((m) => m.waveIndex === waveIndex && m.status !== 'SKIPPED').map((m) => m.clusterId);
    const scan = clusterIds.length > 0 ? await this.scans.start(tx, c.organizationId, { trigger: 'MANUAL', createdBy: `campaign ${c.name}`, clusterIds }) : null;
    if (scan) await this.campaigns.updateWave(tx, c.id, { index: waveIndex, status: 'SOAKING', soakScanId: scan.id });
  }

  /** One upgrade per cluster through the same starter as startUpgrade (in bulk), recorded on the campaign cluster in this transaction. */
  private async startUpgrades(tx: EntityManager, c: CampaignRow, members: CampaignClusterRow[]): Promise<void> {
    const rows = await this.clusters.findByIds(c.organizationId, members.map((m) => m.clusterId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const offered = await this.catalogs.offeredVersions(c.organizationId, rows.map((r) => r.managementClusterId).filter((x): x is string => !!x));
    const skipped: Array<{ clusterId: string; status: 'SKIPPED'; reason: string }> = [];
    const wanted: Array<NewUpgrade & { name: string; wave: number }> = [];
    for (const m of members) {
      const k = byId.get(m.clusterId);
      if (!k || k.status === 'DETACHED' || !k.managementClusterId || !k.managementNamespace || !k.managementName || !k.kubernetesVersion) {
        skipped.push({ clusterId: m.clusterId, status: 'SKIPPED', reason: `cluster ${m.clusterName} was detached or is no longer managed by Cluster API` });
        continue;
      }
      wanted.push({
        clusterId: k.id,
        fromVersion: k.kubernetesVersion,
        toVersion: offeredSpelling(c.targetVersion, offered.get(k.managementClusterId) ?? []),
        managementClusterId: k.managementClusterId,
        managementNamespace: k.managementNamespace,
        managementName: k.managementName,
        createdBy: `campaign ${c.name}`,
        name: k.name,
        wave: m.waveIndex,
      });
    }
    const created = await this.starter.startMany(tx, c.organizationId, wanted.map(({ name: _n, wave: _w, ...u }) => u));
    const byCluster = new Map(created.map((u) => [u.clusterId, u]));
    for (const w of wanted) {
      if (!byCluster.has(w.clusterId)) skipped.push({ clusterId: w.clusterId, status: 'SKIPPED', reason: `another upgrade of ${w.name} was in progress` });
    }
    // Guarded by PENDING under the campaign row's lock; UNIQUE(upgrade_id) is the backstop. A miss rolls the whole step back.
    const moved = await this.campaigns.markStartedMany(tx, c.id, created.map((u) => ({ clusterId: u.clusterId, upgradeId: u.id })));
    if (moved !== created.length) throw new Error(`campaign ${c.id}: ${created.length - moved} clusters were no longer PENDING`);
    await this.audit.recordMany(
      tx,
      c.organizationId,
      wanted
        .filter((w) => byCluster.has(w.clusterId))
        .map((w) => ({
          actor: WORKER_ACTOR,
          action: 'upgrade.start',
          targetType: 'Upgrade',
          targetId: byCluster.get(w.clusterId)!.id,
          details: { clusterId: w.clusterId, cluster: w.name, fromVersion: w.fromVersion, toVersion: w.toVersion, campaignId: c.id, campaign: c.name, wave: w.wave },
        })),
    );
    await this.campaigns.recordClusterEnds(tx, c.id, skipped);
  }
}
