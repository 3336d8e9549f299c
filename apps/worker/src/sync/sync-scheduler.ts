import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../../libs/config/src';
import { ClusterRepository, OutboxRepository } from '../../../../libs/persistence/src';
import { JobName, jobIds, outboxMessage } from '../../../../libs/queue/src';
import { WORKER_CONFIG, WORKER_DB } from '../infrastructure/worker-infrastructure.module';

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
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    @Inject(WORKER_DB) private readonly db: DataSource,
    @Inject(WORKER_CONFIG) private readonly config: AppConfig,
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
    const loop = async () => {
      if (this.stopped) return;
      try {
        while (!this.stopped && (await this.tick()) === CLAIM_BATCH) {
          /* a full batch: more may be due */
        }
      } catch (err) {
        this.logger.warn({ error: (err as Error).message }, 'sync scheduling failed; retrying');
      }
      if (!this.stopped) this.timer = setTimeout(() => (this.running = loop()), TICK_MS);
    };
    this.running = loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
