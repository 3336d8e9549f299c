import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditRepository } from '@flotilla/persistence';
import { FleetEvents } from './fleet-events';
import { ClusterRef, WebhookEventType } from './webhook-events';

/** The fleet events a campaign transition raises (the contract's WebhookEvent names). */
export type CampaignEventName = 'CAMPAIGN_WAITING_FOR_APPROVAL' | 'CAMPAIGN_HALTED' | 'CAMPAIGN_FINISHED';

export function campaignEventOf(to: string): CampaignEventName | null {
  if (to === 'WAITING_FOR_APPROVAL') return 'CAMPAIGN_WAITING_FOR_APPROVAL';
  if (to === 'HALTED') return 'CAMPAIGN_HALTED';
  if (to === 'SUCCEEDED' || to === 'CANCELLED') return 'CAMPAIGN_FINISHED';
  return null;
}

/**
 * Every campaign status transition, from the worker's loop and from operators' mutations alike,
 * goes through `transitioned`, in the transaction that made it: the audit event, a structured log
 * line and, for the three transitions subscribers care about, the fleet event (webhooks), so a
 * transition is published exactly when it is committed.
 */
export class CampaignEvents {
  private readonly logger = new Logger('CampaignEvents');

  constructor(
    private readonly audit: AuditRepository,
    private readonly events: FleetEvents,
  ) {}

  async transitioned(
    tx: EntityManager,
    campaign: { id: string; organizationId: string; name: string; targetVersion: string },
    from: string,
    to: string,
    opts: { actor: string; reason?: string | null },
  ): Promise<void> {
    if (from === to) return;
    const event = campaignEventOf(to);
    await this.audit.record(tx, campaign.organizationId, {
      actor: opts.actor,
      action: 'campaign.transition',
      targetType: 'UpgradeCampaign',
      targetId: campaign.id,
      details: { campaign: campaign.name, from, to, reason: opts.reason ?? null, targetVersion: campaign.targetVersion, event },
    });
    this.logger.log({ campaignId: campaign.id, campaign: campaign.name, from, to, reason: opts.reason ?? null, event }, 'campaign transition');
    if (event) await this.publish(tx, campaign, event, to, opts.reason ?? null);
  }

  /** The event's payload is read in the same transaction, so it says what was committed. */
  private async publish(
    tx: EntityManager,
    campaign: { id: string; organizationId: string; name: string },
    event: CampaignEventName,
    to: string,
    reason: string | null,
  ): Promise<void> {
    const base = { organizationId: campaign.organizationId, subject: `campaign/${campaign.id}` };
    const ids = { campaignId: campaign.id, name: campaign.name };
    if (event === 'CAMPAIGN_WAITING_FOR_APPROVAL') {
      const [wave] = (await tx.query(
        `SELECT wave_index, name FROM campaign_waves WHERE organization_id = $1 AND campaign_id = $2 AND status = 'WAITING_FOR_APPROVAL' ORDER BY wave_index LIMIT 1`,
        [campaign.organizationId, campaign.id],
      )) as Array<{ wave_index: number; name: string }>;
      const waveIndex = wave?.wave_index ?? -1;
      await this.events.publish(tx, {
        ...base,
        type: WebhookEventType.CAMPAIGN_WAITING_FOR_APPROVAL,
        // One event per wave waiting: approving and reaching the next wave's gate is a new one.
        idempotencyKey: `${WebhookEventType.CAMPAIGN_WAITING_FOR_APPROVAL}:campaign/${campaign.id}:wave/${waveIndex}`,
        payload: { ...ids, waveIndex, waveName: wave?.name ?? '' },
      });
      return;
    }
    if (event === 'CAMPAIGN_HALTED') {
      const failed = (await tx.query(
        `SELECT c.id, c.name FROM campaign_clusters cc JOIN clusters c ON c.id = cc.cluster_id
          WHERE cc.organization_id = $1 AND cc.campaign_id = $2 AND cc.status = 'FAILED' ORDER BY c.name LIMIT 100`,
        [campaign.organizationId, campaign.id],
      )) as ClusterRef[];
      await this.events.publish(tx, {
        ...base,
        type: WebhookEventType.CAMPAIGN_HALTED,
        idempotencyKey: `${WebhookEventType.CAMPAIGN_HALTED}:campaign/${campaign.id}:${new Date().toISOString()}`,
        payload: { ...ids, reason: reason ?? 'halted', clusters: failed },
      });
      return;
    }
    const [counts] = (await tx.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE status = 'FAILED')::int AS failed, count(*) FILTER (WHERE status = 'SKIPPED')::int AS skipped
         FROM campaign_clusters WHERE organization_id = $1 AND campaign_id = $2`,
      [campaign.organizationId, campaign.id],
    )) as Array<{ total: number; succeeded: number; failed: number; skipped: number }>;
    await this.events.publish(tx, {
      ...base,
      type: WebhookEventType.CAMPAIGN_FINISHED,
      payload: { ...ids, status: to as 'SUCCEEDED' | 'CANCELLED', counts: counts ?? { total: 0, succeeded: 0, failed: 0, skipped: 0 } },
    });
  }
}

export const campaignEventsProvider = {
  provide: CampaignEvents,
  inject: [AuditRepository, FleetEvents],
  useFactory: (audit: AuditRepository, events: FleetEvents) => new CampaignEvents(audit, events),
};
