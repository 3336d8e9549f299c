import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRepository, ClusterRepository, UpgradeEntity, UpgradeRepository } from '@flotilla/persistence';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { FleetEvents, WebhookEventType } from '@flotilla/notifications';

const WORKER_ACTOR = 'flotilla-worker';

type Outcome = Parameters<UpgradeRepository['finish']>[2];

/**
 * Every way an upgrade ends — refused in pre-flight, finished by its follower, swept when nobody
 * follows it — writes the end state and its audit event in one transaction (as inspections do):
 * nobody sees a finished upgrade without its record. Each returns null (nothing written) when the
 * upgrade was no longer active, so two runners never audit one end twice.
 */
@Injectable()
export class UpgradeOutcomeRecorder {
  constructor(
    private readonly upgrades: UpgradeRepository,
    private readonly audit: AuditRepository,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly events: FleetEvents,
    private readonly clusters: ClusterRepository,
  ) {}

  finish(organizationId: string, upgradeId: string, outcome: Outcome): Promise<UpgradeEntity | null> {
    return this.db.transaction(async (tx) => this.audited(tx, await this.upgrades.finish(organizationId, upgradeId, outcome, tx)));
  }

  refusePreflight(organizationId: string, upgradeId: string, reasons: string[]): Promise<UpgradeEntity | null> {
    return this.db.transaction(async (tx) => this.audited(tx, await this.upgrades.failPreflight(organizationId, upgradeId, reasons, tx)));
  }

  /** See UpgradeRepository.failAbandoned. */
  failAbandoned(graceSeconds: number, neverStartedSeconds: number): Promise<UpgradeEntity[]> {
    return this.db.transaction(async (tx) => {
      const ended = await this.upgrades.failAbandoned(graceSeconds, neverStartedSeconds, tx);
      for (const u of ended) await this.audited(tx, u);
      return ended;
    });
  }

  private async audited(tx: EntityManager, u: UpgradeEntity | null): Promise<UpgradeEntity | null> {
    if (!u) return null;
    await this.audit.record(tx, u.organizationId, {
      actor: WORKER_ACTOR,
      action: `upgrade.${u.status.toLowerCase()}`,
      targetType: 'Upgrade',
      targetId: u.id,
      outcome: u.status === 'SUCCEEDED' ? 'SUCCESS' : 'FAILURE',
      details: { clusterId: u.clusterId, fromVersion: u.fromVersion, toVersion: u.toVersion, phase: u.phase, error: u.error, requestedBy: u.createdBy },
    });
    const cluster = await this.clusters.findById(u.organizationId, u.clusterId, tx);
    await this.events.publish(tx, {
      organizationId: u.organizationId,
      type: WebhookEventType.UPGRADE_FINISHED,
      subject: `upgrade/${u.id}`,
      payload: { upgradeId: u.id, cluster: { id: u.clusterId, name: cluster?.name ?? '' }, status: u.status, fromVersion: u.fromVersion, toVersion: u.toVersion, error: u.error },
    });
    return u;
  }
}
