import { EntityManager } from 'typeorm';
import { JobRecordRepository, OutboxRepository, ScanRepository, ScanRow, StartScan } from '@flotilla/persistence';
import { JobName, jobIds, outboxMessage } from '@flotilla/queue';

/**
 * Starts a compliance scan in the caller's transaction: the scan row, its per-cluster ledger and
 * one job per cluster in the outbox (bulk statements, so 10,000 clusters cost a few round trips).
 * The API (MANUAL) and the worker's scheduler (SCHEDULED) both start scans through here.
 * Returns null when a scan for the same schedule tick exists already.
 */
export class ScanStarter {
  constructor(
    private readonly scans: ScanRepository,
    private readonly outbox: OutboxRepository,
    private readonly jobs: JobRecordRepository,
  ) {}

  async start(tx: EntityManager, organizationId: string, s: StartScan): Promise<ScanRow | null> {
    const started = await this.scans.start(tx, organizationId, s);
    if (!started) return null;
    const scanId = started.scan.id;
    const messages = started.clusterIds.map((clusterId) =>
      outboxMessage(JobName.ScanCluster, jobIds.scanCluster(scanId, clusterId), { organizationId, scanId, clusterId }),
    );
    await this.outbox.add(tx, messages);
    await this.jobs.queued(
      tx,
      messages.map((m) => ({ id: m.jobId, organizationId, queue: m.queue, jobName: m.jobName })),
    );
    return started.scan;
  }
}

/** The one way a process provides ScanStarter (a Nest provider over the registry's repositories). */
export const scanStarterProvider = {
  provide: ScanStarter,
  inject: [ScanRepository, OutboxRepository, JobRecordRepository],
  useFactory: (scans: ScanRepository, outbox: OutboxRepository, jobs: JobRecordRepository) => new ScanStarter(scans, outbox, jobs),
};
