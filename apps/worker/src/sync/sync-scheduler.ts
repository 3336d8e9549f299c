import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { ClusterRepository, OutboxRepository } from '@flotilla/persistence';
import { JobName, PollingLoop, jobIds, outboxMessage } from '@flotilla/queue';
import { APP_CONFIG, DATA_SOURCE } from '@flotilla/infrastructure';

const CLAIM_BATCH = 500;
const TICK_MS = 1000;

/**
 * PostgreSQL is the clock: each tick claims the clusters whose sync is due (SKIP LOCKED), moves
 * their due time one interval on and writes their sync jobs to the outbox — one transaction, so
 * any number of replicas start exactly one sync per cluster per interval.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  private readonly loop = new PollingLoop(async () => (await this.tick()) === CLAIM_BATCH, {
    intervalMs: TICK_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 'sync scheduling failed; retrying'),
  });

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clusters: ClusterRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Claims one batch; returns how many syncs it queued. */
  async tick(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const due = await this.clusters.claimDueForSync(tx, CLAIM_BATCH, this.config.sync.intervalSeconds);
      if (due.length === 0) return 0;
      const tick = Date.now();
      const messages = due.map((c) => outboxMessage(JobName.SyncCluster, jobIds.syncCluster(c.id, tick), { organizationId: c.organizationId, clusterId: c.id }));
      await this.outbox.add(tx, messages);
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
