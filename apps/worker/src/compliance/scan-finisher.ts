import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ScanRepository } from '@flotilla/persistence';
import { FleetEvents, WebhookEventType } from '@flotilla/notifications';
import { DATA_SOURCE } from '@flotilla/infrastructure';

/**
 * Ends a scan whose clusters all have an outcome: SUCCEEDED with its counters, and SCAN_FINISHED
 * in the same transaction. Each cluster job asks after its outcome has committed (so the last one
 * sees all the others); the stranded-work sweep asks for scans a stopped worker left unfinished.
 */
@Injectable()
export class ScanFinisher {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly scans: ScanRepository,
    private readonly events: FleetEvents,
  ) {}

  /** True when this call finished the scan. */
  async finishIfDone(organizationId: string, scanId: string): Promise<boolean> {
    if (await this.scans.hasPending(organizationId, scanId)) return false;
    return this.db.transaction(async (tx) => {
      const f = await this.scans.finishIfDone(tx, organizationId, scanId);
      if (!f) return false;
      await this.events.publish(tx, {
        organizationId,
        type: WebhookEventType.SCAN_FINISHED,
        subject: `scan/${scanId}`,
        payload: {
          scanId,
          status: f.status,
          clusterCount: f.clusterCount,
          compliantCount: f.compliantCount,
          nonCompliantCount: f.nonCompliantCount,
          erroredCount: f.erroredCount,
          violationCount: f.violationCount,
          finishedAt: new Date(f.finishedAt).toISOString(),
        },
      });
      return true;
    });
  }

  /** Finishes the scans left with nothing PENDING (a worker stopped between an outcome and this). Returns how many. */
  async finishLeftOver(): Promise<number> {
    let finished = 0;
    for (const s of await this.scans.unfinishedWithNothingPending()) if (await this.finishIfDone(s.organizationId, s.id)) finished++;
    return finished;
  }
}
