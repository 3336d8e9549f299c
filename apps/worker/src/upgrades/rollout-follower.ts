import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { AuditRepository, JobRecordRepository, OutboxRepository, UpgradeEntity, UpgradeRepository } from '@flotilla/persistence';
import { ClusterClient, describeFailure, isControlPlaneNode, kubeletVersionOf, nodeReady } from '@flotilla/cluster-access';
import { JobName, QueueName, jobIds, outboxMessage } from '@flotilla/queue';
import { RolloutObservation, assessRollout, rolloutTimeout } from '@flotilla/upgrade';
import { JobContext } from '../jobs/job-handler.registry';
import { APP_CONFIG, DATA_SOURCE } from '@flotilla/infrastructure';
import { capiClusterRef, patchTopologyVersion, readCapiCluster } from './capi-cluster';
import { UpgradeOutcomeRecorder } from './upgrade-outcome.recorder';
import { UpgradeFailure } from './upgrade.errors';

const WORKER_ACTOR = 'flotilla-worker';

/**
 * Sets the upgrade's Cluster.spec.topology.version (once) and follows the rollout on both clusters
 * until every node reports the target, the rollout fails, stalls or passes its deadline.
 *
 * Following polls at a bounded interval, re-reading the upgrade between polls (a cancel stops it at
 * the next poll), for at most one slice (FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS): then, or when the
 * worker shuts down, it hands over to a follow-up job written through the outbox. A rollout of an
 * hour thus never pins a worker slot for an hour, and a restart never loses it. Only one runner can
 * claim each follow-up (follow_seq compare-and-set).
 */
@Injectable()
export class RolloutFollower {
  constructor(
    private readonly upgrades: UpgradeRepository,
    private readonly outcomes: UpgradeOutcomeRecorder,
    private readonly outbox: OutboxRepository,
    private readonly jobs: JobRecordRepository,
    private readonly audit: AuditRepository,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sets spec.topology.version unless the Cluster already has it: a re-run never patches twice. */
  async ensurePatched(u: UpgradeEntity, management: ClusterClient): Promise<void> {
    const target = u.patchedVersion ?? u.toVersion;
    const ref = capiClusterRef(u);
    let capi;
    try {
      capi = await readCapiCluster(management, u);
    } catch (err) {
      throw new UpgradeFailure(`could not read Cluster ${ref}: ${describeFailure(err)}`);
    }
    if (!capi) throw new UpgradeFailure(`Cluster ${ref} no longer exists on the management cluster`);
    if (capi.spec?.topology?.version === target) return;
    try {
      await patchTopologyVersion(management, u, target);
    } catch (err) {
      throw new UpgradeFailure(`patching Cluster ${ref} spec.topology.version to ${target} was refused: ${describeFailure(err)}`);
    }
    await this.audit.record(this.db, u.organizationId, {
      actor: WORKER_ACTOR,
      action: 'upgrade.patch',
      targetType: 'Upgrade',
      targetId: u.id,
      details: { cluster: ref, from: capi.spec?.topology?.version ?? null, to: target },
    });
  }

  async follow(u: UpgradeEntity, workload: ClusterClient, management: ClusterClient, ctx: Pick<JobContext, 'signal'>): Promise<void> {
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
          await this.outcomes.finish(u.organizationId, u.id, { status: 'FAILED', phase: a.phase, progress: a.progress, error: `The rollout failed: ${a.failed}. Last observed: ${a.progress}.` });
          return;
        }
        if (a.done) {
          await this.outcomes.finish(u.organizationId, u.id, { status: 'SUCCEEDED', phase: 'DONE', progress: a.progress, clusterVersion: obs.controlPlaneVersion ?? u.toVersion });
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
        await this.outcomes.finish(u.organizationId, u.id, { status: 'FAILED', phase, error: `The upgrade failed: ${timeout}.` });
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
    const [version, nodes, capi] = await Promise.allSettled([workload.readVersion(), workload.listNodes(), readCapiCluster(management, u)]);
    if (nodes.status !== 'fulfilled') return null;
    const obs: RolloutObservation = {
      targetVersion: u.toVersion,
      nodes: nodes.value.map((n) => ({ name: n.metadata.name, controlPlane: isControlPlaneNode(n), ready: nodeReady(n), kubeletVersion: kubeletVersionOf(n) })),
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
