import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRepository, PolicyEnforcementTargetRepository } from '@flotilla/persistence';
import { JobName, PollingLoop, jobIds, outboxMessage } from '@flotilla/queue';
import { DATA_SOURCE } from '@flotilla/infrastructure';

/** A cleanup still pending this long after its policy changed is queued again. */
const RETRY_AFTER_SECONDS = 15 * 60;
const EVERY_MS = 15 * 60_000;
const BATCH = 1000;

/**
 * Cleanups are retried until they are done: a cluster unreachable for all of a job's attempts
 * keeps its target row, and this loop queues a new job for it (one per hour per cluster, by job
 * id), so the objects a removed policy created do not outlive it because of one outage.
 */
@Injectable()
export class PolicyCleanupReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PolicyCleanupReconciler.name);
  private readonly loop = new PollingLoop(async () => (await this.requeue(), false), {
    intervalMs: EVERY_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 're-queuing unfinished policy cleanups failed; retrying'),
  });

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly targets: PolicyEnforcementTargetRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async requeue(olderThanSeconds = RETRY_AFTER_SECONDS, now = new Date()): Promise<number> {
    const hour = Math.floor(now.getTime() / 3_600_000);
    return this.db.transaction(async (tx) => {
      const due = await this.targets.unfinishedCleanups(tx, olderThanSeconds, BATCH);
      await this.outbox.add(
        tx,
        due.map((t) => outboxMessage(JobName.CleanupPolicyObjects, jobIds.cleanupPolicyObjects(t.policyId, t.clusterId, `retry-${hour}`), t)),
      );
      if (due.length) this.logger.warn({ count: due.length }, 'queued unfinished policy cleanups again');
      return due.length;
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
