import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ScanStarter } from '@flotilla/compliance';
import { AuditRepository, ScanScheduleRepository } from '@flotilla/persistence';
import { PollingLoop } from '@flotilla/queue';
import { nextRunAfter } from '@flotilla/schedule';
import { DATA_SOURCE } from '@flotilla/infrastructure';

const CLAIM_BATCH = 50;
const TICK_MS = 1000;

/**
 * PostgreSQL is the clock for compliance-scan schedules: each tick locks the due schedules
 * (SKIP LOCKED), starts one SCHEDULED scan per schedule through the outbox and moves next_run_at
 * to the next cron time after now — one transaction, so any number of worker replicas start
 * exactly one scan per tick (scans are also unique per organization and tick). A tick missed
 * while no worker ran is caught up once, not once per missed tick.
 */
@Injectable()
export class ScanScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScanScheduler.name);
  private readonly loop = new PollingLoop(async () => (await this.tick(), false), {
    intervalMs: TICK_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 'scan scheduling failed; retrying'),
  });

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly schedules: ScanScheduleRepository,
    private readonly starter: ScanStarter,
    private readonly audit: AuditRepository,
  ) {}

  /** Claims one batch of due schedules; returns how many scans it started. */
  async tick(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const due = await this.schedules.claimDue(tx, CLAIM_BATCH);
      let started = 0;
      for (const s of due) {
        const tick = s.nextRunAt as Date;
        const scan = await this.starter.start(tx, s.organizationId, { trigger: 'SCHEDULED', createdBy: 'schedule', scheduleTick: tick });
        if (scan) {
          started++;
          await this.audit.record(tx, s.organizationId, {
            actor: 'schedule',
            action: 'scan.run',
            targetType: 'Scan',
            targetId: scan.id,
            details: { trigger: 'SCHEDULED', tick: tick.toISOString(), cron: s.cron, timezone: s.timezone, clusterCount: scan.clusterCount },
          });
        }
        let next: Date | null;
        try {
          next = nextRunAfter(s.cron, s.timezone, new Date(Math.max(Date.now(), tick.getTime())));
        } catch (err) {
          // Validated when set; a zone the runtime no longer knows stops the schedule rather than looping.
          this.logger.warn({ organizationId: s.organizationId, error: (err as Error).message }, 'scan schedule cannot compute its next run; disabled');
          next = null;
        }
        await this.schedules.advance(tx, s.organizationId, tick, next);
      }
      return started;
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
