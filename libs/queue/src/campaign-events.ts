import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditRepository } from '@flotilla/persistence';

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
 * goes through `transitioned`, in the transaction that made it: the audit event and a structured
 * log line today. The fleet-event (webhook) publisher is wired here, in this one method, so a
 * transition is published exactly when it is committed.
 */
export class CampaignEvents {
  private readonly logger = new Logger('CampaignEvents');

  constructor(private readonly audit: AuditRepository) {}

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
  }
}

export const campaignEventsProvider = {
  provide: CampaignEvents,
  inject: [AuditRepository],
  useFactory: (audit: AuditRepository) => new CampaignEvents(audit),
};
