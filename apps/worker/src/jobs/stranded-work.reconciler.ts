import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRepository, StrandedWorkRepository } from '../../../../libs/persistence/src';
import { JobName, PollingLoop, jobIds, outboxMessage } from '../../../../libs/queue/src';
import { WORKER_DB } from '../infrastructure/worker-infrastructure.module';

/** Work older than this whose job is still not done is handed to the queue again. */
const STRANDED_AFTER_SECONDS = 180;
const EVERY_MS = 60_000;
const BATCH = 5000;
const SENT_OUTBOX_KEPT_HOURS = 24;

/**
 * "Nothing is lost between the database and the queue" also after the queue loses jobs (Redis
 * restarted without persistence): unfinished scan children and inspections are written to the
 * outbox again with their deterministic ids. A job BullMQ still holds is not added twice, and a
 * handler that finds its work done exits early, so re-queuing something merely slow is harmless.
 */
@Injectable()
export class StrandedWorkReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StrandedWorkReconciler.name);
  private readonly loop = new PollingLoop(async () => (await this.reconcile(), false), {
    intervalMs: EVERY_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 're-queuing stranded work failed; retrying'),
  });

  constructor(
    @Inject(WORKER_DB) private readonly db: DataSource,
    private readonly stranded: StrandedWorkRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async reconcile(olderThanSeconds = STRANDED_AFTER_SECONDS): Promise<number> {
    const requeued = await this.db.transaction(async (tx) => {
      // One replica at a time; the others skip this round.
      const [{ locked }] = await tx.query(`SELECT pg_try_advisory_xact_lock(727275) AS locked`);
      if (!locked) return 0;
      const jobs = await this.stranded.find(tx, olderThanSeconds, BATCH);
      await this.outbox.add(
        tx,
        jobs.map((j) =>
          j.kind === 'scan-cluster'
            ? outboxMessage(JobName.ScanCluster, jobIds.scanCluster(j.scanId!, j.clusterId!), { organizationId: j.organizationId, scanId: j.scanId!, clusterId: j.clusterId! })
            : outboxMessage(JobName.RunInspection, jobIds.runInspection(j.inspectionId!), { organizationId: j.organizationId, inspectionId: j.inspectionId! }),
        ),
      );
      if (jobs.length) this.logger.warn({ count: jobs.length }, 'handed stranded jobs to the queue again');
      return jobs.length;
    });
    // Sent outbox rows are kept a day for debugging, then pruned.
    await this.outbox.pruneSent(SENT_OUTBOX_KEPT_HOURS);
    return requeued;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
