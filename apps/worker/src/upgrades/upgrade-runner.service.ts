import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../../libs/config/src';
import {
  AuditRepository,
  ClusterRepository,
  JobRecordRepository,
  OutboxRepository,
  UpgradeEntity,
  UpgradeRepository,
} from '../../../../libs/persistence/src';
import { ClusterClient, ClusterClientFactory, KubeObject, assessNodes, statusFromNodes } from '../../../../libs/cluster-access/src';
import { JobName, JobPayloads, QueueName, jobIds, outboxMessage } from '../../../../libs/queue/src';
import { redactText } from '../../../../libs/observability/src';
import {
  RolloutObservation,
  assessRollout,
  compareKubeVersions,
  parseDeprecatedApiMetrics,
  rolloutTimeout,
  runPreflight,
} from '../../../../libs/upgrade/src';
import { JobContext, JobHandlerRegistry } from '../jobs/job-handler.registry';
import { WORKER_CONFIG, WORKER_DB } from '../infrastructure/worker-infrastructure.module';
import { ManagementLinkService } from '../sync/management-link.service';
import { describeFailure } from '../sync/cluster-sync.service';

const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];
const WORKER_ACTOR = 'flotilla-worker';
/** The queue's attempts per job (libs/queue QueueSet defaultJobOptions). */
const QUEUE_ATTEMPTS = 3;

type ClusterObject = KubeObject & { spec?: { topology?: { version?: string } }; status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } };

/** Thrown when the upgrade must end FAILED with an operator-readable reason. */
class UpgradeFailure extends Error {}

/**
 * The run-upgrade job: pre-flight with live data, patch Cluster.spec.topology.version on the
 * management cluster (once), then follow the rollout until every node reports the target.
 *
 * Following is done inside the job, polling at a bounded interval and re-reading the upgrade between
 * polls (a cancel stops it at the next poll), but for at most one "slice" (FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS):
 * then, or when the worker shuts down, the job hands over to a follow-up job written through the
 * outbox. A rollout of an hour thus never pins a worker slot for an hour, and a restart never loses
 * it. The deadline is stored on the upgrade when it is patched, so follow-ups keep the same one, and
 * whichever runner sees it pass ends the upgrade FAILED: nothing stays RUNNING forever.
 *
 * At-least-once safety: the patch is issued only when the Cluster's version differs from the target
 * (a re-run finds it patched and does not patch again); every status change is guarded by the status
 * it comes from; and only one runner can claim each follow-up (follow_seq compare-and-set).
 */
@Injectable()
export class UpgradeRunnerService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UpgradeRunnerService.name);
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly upgrades: UpgradeRepository,
    private readonly clusters: ClusterRepository,
    private readonly clients: ClusterClientFactory,
    private readonly links: ManagementLinkService,
    private readonly outbox: OutboxRepository,
    private readonly jobs: JobRecordRepository,
    private readonly audit: AuditRepository,
    @Inject(WORKER_DB) private readonly db: DataSource,
    @Inject(WORKER_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.RunUpgrade, (p, ctx) => this.run(p, ctx));
  }

  onApplicationBootstrap(): void {
    const every = Math.min(60_000, Math.max(1000, this.config.upgrade.stallSeconds * 1000));
    this.sweeper = setInterval(() => {
      this.failAbandoned().catch((err: Error) => this.logger.warn({ error: redactText(err.message) }, 'could not sweep abandoned upgrades'));
    }, every);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /**
   * Ends upgrades no runner follows any more (see UpgradeRepository.failAbandoned): a minute of grace
   * past the deadline (a live runner ends its own upgrade at the deadline), and the whole deadline
   * for one that never started. Safe in every replica at once: each row is ended by one UPDATE.
   */
  async failAbandoned(): Promise<number> {
    const ended = await this.upgrades.failAbandoned(60, this.config.upgrade.deadlineSeconds);
    for (const u of ended) await this.auditEnd(u);
    return ended.length;
  }

  async run({ organizationId, upgradeId }: JobPayloads[JobName.RunUpgrade], ctx: JobContext): Promise<void> {
    const existing = await this.upgrades.findById(organizationId, upgradeId);
    if (!existing || !['QUEUED', 'RUNNING'].includes(existing.status)) return; // finished or cancelled: nothing to do
    let u = await this.upgrades.markRunning(organizationId, upgradeId);
    if (!u) return;
    try {
      const cluster = await this.clusters.findForWorker(organizationId, u.clusterId);
      if (!cluster || cluster.status === 'DETACHED') throw new UpgradeFailure('the cluster was detached from Flotilla');
      const management = u.managementClusterId ? await this.clusters.findForWorker(organizationId, u.managementClusterId) : null;
      if (!management || management.status === 'DETACHED') {
        throw new UpgradeFailure('its management cluster is no longer attached to Flotilla, so the Cluster object cannot be patched or followed');
      }
      const managementClient = await this.clients.forCluster(management);
      const workloadClient = await this.clients.forCluster(cluster);

      if (!u.patchedAt) {
        const verdict = await this.preflight(u, workloadClient, managementClient);
        if (!verdict.ok) {
          const failed = await this.upgrades.failPreflight(organizationId, upgradeId, verdict.reasons);
          if (failed) await this.auditEnd(failed);
          return;
        }
        // Claimed before the PATCH: a cancel from now on says the Cluster was patched (it is, a moment later).
        u = await this.upgrades.recordPatched(organizationId, upgradeId, verdict.patchVersion, this.config.upgrade.deadlineSeconds);
        if (!u) return; // cancelled meanwhile: nothing was patched
      }
      await this.ensurePatched(u, managementClient);
      await this.follow(u, workloadClient, managementClient, ctx);
    } catch (err) {
      // An unexpected error (a database blip, a credential that cannot be read yet) is retried by the
      // queue with back-off: the retry re-reads and carries on, and nothing was patched twice. Only the
      // last attempt ends the upgrade, so it never waits for the sweeper.
      if (!(err instanceof UpgradeFailure) && ctx.attempt < QUEUE_ATTEMPTS) throw err;
      const reason = err instanceof UpgradeFailure ? err.message : `unexpected error: ${describeFailure(err)}`;
      const current = await this.upgrades.findById(organizationId, upgradeId);
      const failed =
        current && !current.patchedAt
          ? await this.upgrades.failPreflight(organizationId, upgradeId, [capitalise(reason) + '.'])
          : await this.upgrades.finish(organizationId, upgradeId, { status: 'FAILED', phase: current?.phase ?? 'PREFLIGHT', error: `The upgrade failed: ${reason}.` });
      if (failed) await this.auditEnd(failed);
      if (!(err instanceof UpgradeFailure)) this.logger.warn({ upgradeId, error: redactText((err as Error).message ?? String(err)) }, 'upgrade failed unexpectedly');
    }
  }

  /** runPreflight over live data: workload nodes and /metrics, the management cluster's releases and Cluster object. */
  private async preflight(
    u: UpgradeEntity,
    workload: ClusterClient,
    management: ClusterClient,
  ): Promise<{ ok: true; patchVersion: string } | { ok: false; reasons: string[] }> {
    const reasons: string[] = [];
    const reach = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await f();
      } catch (err) {
        reasons.push(`Could not read ${what}: ${describeFailure(err)}.`);
        return undefined;
      }
    };
    const version = await reach('the cluster\'s /version', () => workload.readVersion());
    const nodes = await reach('the cluster\'s nodes', () => workload.listAll('/api/v1/nodes'));
    const metrics = await reach('the cluster\'s /metrics (needed to find deprecated APIs in use)', () => workload.getText('/metrics'));
    const offered = await reach('the releases the management cluster offers', () => this.links.offeredReleases(management));
    const capi = await reach(`Cluster ${u.managementNamespace}/${u.managementName} on the management cluster`, () =>
      management.getOptional<ClusterObject>(clusterPath(u)),
    );
    if (capi === null) reasons.push(`Cluster ${u.managementNamespace}/${u.managementName} no longer exists on the management cluster.`);
    if (capi && !capi.spec?.topology) {
      reasons.push(`Cluster ${u.managementNamespace}/${u.managementName} has no spec.topology: Flotilla upgrades only ClusterClass-based (topology) clusters.`);
    }
    if (reasons.length > 0) return { ok: false, reasons };

    const result = runPreflight({
      // Judged from the nodes just read, not from the last sync (which may be a minute old).
      clusterStatus: statusFromNodes(assessNodes(nodes ?? [])).status,
      nodes: (nodes ?? []).map((n) => ({ name: n.metadata.name, ready: nodeReady(n), kubeletVersion: kubeletVersion(n) ?? '' })),
      currentVersion: version!.gitVersion,
      targetVersion: u.toVersion,
      offeredVersions: offered ?? [],
      managed: true,
      upgradeInProgress: false, // the partial unique index makes this upgrade the only active one
      deprecatedApisInUse: parseDeprecatedApiMetrics(metrics ?? ''),
    });
    if (!result.ok) return { ok: false, reasons: result.reasons };
    // Patch with the management cluster's own spelling of the release (what its controllers resolve).
    const patchVersion = (offered ?? []).find((o) => sameRelease(o, u.toVersion)) ?? u.toVersion;
    return { ok: true, patchVersion };
  }

  /** Sets spec.topology.version unless the Cluster already has it: a re-run never patches twice. */
  private async ensurePatched(u: UpgradeEntity, management: ClusterClient): Promise<void> {
    const target = u.patchedVersion ?? u.toVersion;
    let capi: ClusterObject | null;
    try {
      capi = await management.getOptional<ClusterObject>(clusterPath(u));
    } catch (err) {
      throw new UpgradeFailure(`could not read Cluster ${u.managementNamespace}/${u.managementName}: ${describeFailure(err)}`);
    }
    if (!capi) throw new UpgradeFailure(`Cluster ${u.managementNamespace}/${u.managementName} no longer exists on the management cluster`);
    if (capi.spec?.topology?.version === target) return;
    try {
      await management.patch(clusterPath(u), { spec: { topology: { version: target } } }, 'merge');
    } catch (err) {
      throw new UpgradeFailure(`patching Cluster ${u.managementNamespace}/${u.managementName} spec.topology.version to ${target} was refused: ${describeFailure(err)}`);
    }
    await this.audit.record(this.db, u.organizationId, {
      actor: WORKER_ACTOR,
      action: 'upgrade.patch',
      targetType: 'Upgrade',
      targetId: u.id,
      details: { cluster: `${u.managementNamespace}/${u.managementName}`, from: capi.spec?.topology?.version ?? null, to: target },
    });
  }

  private async follow(u: UpgradeEntity, workload: ClusterClient, management: ClusterClient, ctx: JobContext): Promise<void> {
    const sliceEnds = Date.now() + this.config.upgrade.followSliceSeconds * 1000;
    let current: UpgradeEntity = u;
    for (;;) {
      const obs = await this.observe(current, workload, management);
      // An API server restarting mid-upgrade is normal: an unreadable poll is neither progress nor a
      // regression (the phase stays), only the stall limit and the deadline judge it.
      let progress = current.progress ?? 'waiting for the first observation';
      let phase = current.phase;
      if (obs) {
        const a = assessRollout(obs);
        if (a.failed) {
          const done = await this.upgrades.finish(u.organizationId, u.id, { status: 'FAILED', phase: a.phase, progress: a.progress, error: `The rollout failed: ${a.failed}. Last observed: ${a.progress}.` });
          if (done) await this.auditEnd(done);
          return;
        }
        if (a.done) {
          const done = await this.upgrades.finish(u.organizationId, u.id, { status: 'SUCCEEDED', phase: 'DONE', progress: a.progress, clusterVersion: obs.controlPlaneVersion ?? u.toVersion });
          if (done) await this.auditEnd(done);
          return;
        }
        ({ progress, phase } = a);
      }
      const next = obs ? await this.upgrades.recordProgress(u.organizationId, u.id, phase, progress) : await this.upgrades.findById(u.organizationId, u.id);
      if (!next || next.status !== 'RUNNING') return; // cancelled (or ended by another runner): stop following
      current = next;
      const startedAt = (current.patchedAt ?? current.startedAt ?? current.createdAt).getTime();
      const timeout = rolloutTimeout({
        startedAt,
        lastProgressAt: (current.lastProgressAt ?? current.patchedAt ?? new Date(startedAt)).getTime(),
        now: Date.now(),
        deadlineMs: (current.deadlineAt?.getTime() ?? startedAt + this.config.upgrade.deadlineSeconds * 1000) - startedAt,
        stallMs: this.config.upgrade.stallSeconds * 1000,
        progress,
      });
      if (timeout) {
        const done = await this.upgrades.finish(u.organizationId, u.id, { status: 'FAILED', phase, error: `The upgrade failed: ${timeout}.` });
        if (done) await this.auditEnd(done);
        return;
      }
      if (ctx.signal.aborted || Date.now() >= sliceEnds) {
        await this.handOver(current);
        return;
      }
      await sleep(this.config.upgrade.pollIntervalMs, ctx.signal);
    }
  }

  /** One look at both clusters; null when the workload cluster's nodes could not be read. */
  private async observe(u: UpgradeEntity, workload: ClusterClient, management: ClusterClient): Promise<RolloutObservation | null> {
    const [version, nodes, capi] = await Promise.allSettled([workload.readVersion(), workload.listAll('/api/v1/nodes'), management.getOptional<ClusterObject>(clusterPath(u))]);
    if (nodes.status !== 'fulfilled') return null;
    const obs: RolloutObservation = {
      targetVersion: u.toVersion,
      nodes: nodes.value.map((n) => ({
        name: n.metadata.name,
        controlPlane: CONTROL_PLANE_LABELS.some((l) => l in (n.metadata.labels ?? {})),
        ready: nodeReady(n),
        kubeletVersion: kubeletVersion(n) ?? '',
      })),
    };
    if (version.status === 'fulfilled') obs.controlPlaneVersion = version.value.gitVersion;
    if (capi.status === 'fulfilled' && capi.value) obs.clusterConditions = capi.value.status?.conditions ?? [];
    return obs;
  }

  /** Queues the next follow-up through the outbox; only the runner that wins the follow_seq claim does. */
  private async handOver(u: UpgradeEntity): Promise<void> {
    await this.db.transaction(async (tx) => {
      const seq = await this.upgrades.claimFollowUp(tx, u.organizationId, u.id, u.followSeq);
      if (seq === null) return;
      const jobId = jobIds.runUpgrade(u.id, seq);
      await this.outbox.add(tx, [outboxMessage(JobName.RunUpgrade, jobId, { organizationId: u.organizationId, upgradeId: u.id })]);
      await this.jobs.queued(tx, [{ id: jobId, organizationId: u.organizationId, queue: QueueName.Upgrade, jobName: JobName.RunUpgrade }]);
    });
  }

  private async auditEnd(u: UpgradeEntity): Promise<void> {
    await this.audit.record(this.db, u.organizationId, {
      actor: WORKER_ACTOR,
      action: `upgrade.${u.status.toLowerCase()}`,
      targetType: 'Upgrade',
      targetId: u.id,
      outcome: u.status === 'SUCCEEDED' ? 'SUCCESS' : 'FAILURE',
      details: { clusterId: u.clusterId, fromVersion: u.fromVersion, toVersion: u.toVersion, phase: u.phase, error: u.error, requestedBy: u.createdBy },
    });
  }
}

function clusterPath(u: UpgradeEntity): string {
  return `/apis/cluster.x-k8s.io/v1beta1/namespaces/${encodeURIComponent(u.managementNamespace ?? 'default')}/clusters/${encodeURIComponent(u.managementName ?? '')}`;
}

function nodeReady(n: KubeObject): boolean {
  const conditions = ((n.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []);
  return conditions.find((c) => c.type === 'Ready')?.status === 'True';
}

function kubeletVersion(n: KubeObject): string | undefined {
  return (n.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion;
}

function sameRelease(a: string, b: string): boolean {
  try {
    return compareKubeVersions(a, b) === 0;
  } catch {
    return false;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
