import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { OutboxRepository, StrandedJob, StrandedWorkRepository } from '@flotilla/persistence';
import { JobName, PollingLoop, QueueStoreWatch, jobIds, outboxMessage, RedisConnection } from '@flotilla/queue';
import { APP_CONFIG, DATA_SOURCE, REDIS } from '@flotilla/infrastructure';
import { ScanFinisher } from '../compliance/scan-finisher';

/** Work older than this whose job is still not done is handed to the queue again. */
const STRANDED_AFTER_SECONDS = 180;
const EVERY_MS = 60_000;
/** How often each replica looks whether Redis lost its data: the bound on noticing a loss. */
const LOSS_CHECK_MS = 2000;
const BATCH = 5000;
/** After a loss every unfinished job is gone at once: re-queue all of it in one round. */
const LOSS_BATCH = 200_000;
const SENT_OUTBOX_KEPT_HOURS = 24;

/**
 * "Nothing is lost between the database and the queue" also after the queue loses jobs (Redis
 * restarted without persistence): unfinished scan children, inspections and upgrades are written
 * to the outbox again with their deterministic ids (provisionings too, by their phase's follow-up). A job BullMQ still holds is not added twice,
 * and a handler that finds its work done exits early, so re-queuing something merely slow is
 * harmless. A loss is noticed within seconds (QueueStoreWatch: the marker key is gone) and
 * re-queued at once; the three-minute sweep stays for losses no marker shows (a failover to a
 * replica that missed the last writes).
 */
@Injectable()
export class StrandedWorkReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StrandedWorkReconciler.name);
  private readonly watch: QueueStoreWatch;
  private readonly loop = new PollingLoop(async () => (await this.reconcile(), false), {
    intervalMs: EVERY_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 're-queuing stranded work failed; retrying'),
  });
  private readonly lossLoop = new PollingLoop(async () => (await this.checkForLoss(), false), {
    intervalMs: LOSS_CHECK_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 'could not look whether Redis lost the queues; retrying'),
  });

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(REDIS) redis: RedisConnection,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly stranded: StrandedWorkRepository,
    private readonly outbox: OutboxRepository,
    private readonly finisher: ScanFinisher,
  ) {
    this.watch = new QueueStoreWatch(redis, config.queue.prefix);
  }

  async reconcile(olderThanSeconds = STRANDED_AFTER_SECONDS, limit = BATCH): Promise<number> {
    const requeued = await this.db.transaction(async (tx) => {
      // One replica at a time; the others skip this round.
      const [{ locked }] = await tx.query(`SELECT pg_try_advisory_xact_lock(727275) AS locked`);
      if (!locked) return 0;
      const jobs = await this.stranded.find(tx, olderThanSeconds, limit);
      await this.outbox.add(tx, jobs.map(messageFor));
      if (jobs.length) this.logger.warn({ count: jobs.length }, 'handed stranded jobs to the queue again');
      return jobs.length;
    });
    // A scan whose last outcome committed but whose worker stopped before ending it.
    const finished = await this.finisher.finishLeftOver();
    if (finished) this.logger.warn({ count: finished }, 'finished scans a stopped worker left with every cluster done');
    // Sent outbox rows are kept a day for debugging, then pruned.
    await this.outbox.pruneSent(SENT_OUTBOX_KEPT_HOURS);
    return requeued;
  }

  /**
   * When Redis comes back without the marker, every unfinished job is re-queued now, whatever its
   * age. Returns how many (null: no loss seen). A failed re-queue gives the loss back for the next look.
   */
  async checkForLoss(): Promise<number | null> {
    if (!(await this.watch.claimLoss())) return null;
    try {
      const n = await this.requeueAfterLoss();
      if (n > 0) this.logger.warn({ count: n }, 'Redis lost its queued jobs; re-queued the unfinished work at once');
      return n;
    } catch (err) {
      await this.watch.releaseLoss().catch(() => undefined);
      throw err;
    }
  }

  private async requeueAfterLoss(): Promise<number> {
    // The advisory lock may be held by a sweep under way in another replica: wait for it rather than skip.
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(727275)`);
      const jobs = await this.stranded.find(tx, 0, LOSS_BATCH);
      await this.outbox.add(tx, jobs.map(messageFor));
      return jobs.length;
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
    this.lossLoop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.loop.stop(), this.lossLoop.stop()]);
  }
}

function messageFor(j: StrandedJob) {
  switch (j.kind) {
    case 'scan-cluster':
      return outboxMessage(JobName.ScanCluster, jobIds.scanCluster(j.scanId!, j.clusterId!), { organizationId: j.organizationId, scanId: j.scanId!, clusterId: j.clusterId! });
    case 'inspection':
      return outboxMessage(JobName.RunInspection, jobIds.runInspection(j.inspectionId!), { organizationId: j.organizationId, inspectionId: j.inspectionId! });
    case 'upgrade':
      return outboxMessage(JobName.RunUpgrade, jobIds.runUpgrade(j.upgradeId!, j.followSeq), { organizationId: j.organizationId, upgradeId: j.upgradeId! });
    case 'provisioning':
      return outboxMessage(JobName.RunProvisioning, jobIds.runProvisioning(j.clusterId!, j.provisioningAction!, j.followSeq), { organizationId: j.organizationId, clusterId: j.clusterId! });
    case 'webhook-delivery':
      return outboxMessage(JobName.DeliverWebhook, jobIds.deliverWebhook(j.deliveryId!), { organizationId: j.organizationId, deliveryId: j.deliveryId! });
  }
}
