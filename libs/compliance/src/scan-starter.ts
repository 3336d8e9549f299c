import { EntityManager } from 'typeorm';
import { JobRecordRepository, OutboxRepository, ScanRepository, ScanRow, StartScan } from '@flotilla/persistence';
import { FleetEvents, WebhookEventType } from '@flotilla/notifications';
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
    private readonly events: FleetEvents,
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
    const scan = started.scan;
    // A scan over no clusters is finished as it starts; one with clusters finishes with its last outcome (ComplianceScanService).
    if (scan.status === 'SUCCEEDED') {
      await this.events.publish(tx, {
        organizationId,
        type: WebhookEventType.SCAN_FINISHED,
        subject: `scan/${scan.id}`,
        payload: {
          scanId: scan.id,
          status: scan.status,
          clusterCount: 0,
          compliantCount: 0,
          nonCompliantCount: 0,
          erroredCount: 0,
          violationCount: 0,
          finishedAt: new Date(scan.finishedAt ?? Date.now()).toISOString(),
        },
      });
    }
    return scan;
  }
}

/** The one way a process provides ScanStarter (a Nest provider over the registry's repositories). */
export const scanStarterProvider = {
  provide: ScanStarter,
  inject: [ScanRepository, OutboxRepository, JobRecordRepository, FleetEvents],
  useFactory: (scans: ScanRepository, outbox: OutboxRepository, jobs: JobRecordRepository, events: FleetEvents) => new ScanStarter(scans, outbox, jobs, events),
};
