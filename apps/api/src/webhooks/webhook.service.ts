import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { CredentialCipher } from '@flotilla/cluster-access';
import { APP_CONFIG, CREDENTIAL_CIPHER, DATA_SOURCE } from '@flotilla/infrastructure';
import { WEBHOOK_SECRET_PURPOSE, generateWebhookSecret, isWebhookEventType, webhookUrl } from '@flotilla/notifications';
import { AuditRepository, WebhookRepository, WebhookRow } from '@flotilla/persistence';
import { isUuid } from '@flotilla/validation';
import { ViewerContext } from '../auth/viewer';
import { badInput, notFound } from '../common/domain.errors';
import { CreateWebhookInput } from './webhook.model';

/** Webhooks per organization: each event fans out to every subscriber, so the fan-out is bounded. */
export const MAX_WEBHOOKS = 20;

@Injectable()
export class WebhookService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    private readonly webhooks: WebhookRepository,
    private readonly audit: AuditRepository,
  ) {}

  list(viewer: ViewerContext): Promise<WebhookRow[]> {
    return this.webhooks.list(viewer.organizationId);
  }

  /** Validates, seals the new secret, stores the webhook and its audit event in one transaction; the clear secret is returned once. */
  async create(viewer: ViewerContext, input: CreateWebhookInput): Promise<{ webhook: WebhookRow; secret: string }> {
    const url = webhookUrl(input.url, { allowHttpLoopback: this.config.webhooks.allowHttpLoopback }, 'input.url');
    const events = [...new Set(input.events ?? [])];
    if (events.length === 0) throw badInput('input.events', 'must name at least one event');
    if (!events.every(isWebhookEventType)) throw badInput('input.events', 'names an unknown event');
    if ((await this.webhooks.count(viewer.organizationId)) >= MAX_WEBHOOKS) throw badInput('input.url', `at most ${MAX_WEBHOOKS} webhooks per organization`);
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const sealed = this.cipher.sealSecret(secret, WEBHOOK_SECRET_PURPOSE, [id, url]);
    return this.db.transaction(async (tx) => {
      const webhook = await this.webhooks.create(tx, viewer.organizationId, { id, url, events, createdBy: viewer.actor, secret: sealed });
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'webhook.create',
        targetType: 'Webhook',
        targetId: id,
        details: { url, events },
      });
      return { webhook, secret };
    });
  }

  async delete(viewer: ViewerContext, id: string): Promise<boolean> {
    if (!isUuid(id)) throw notFound('webhook', id);
    return this.db.transaction(async (tx) => {
      const gone = await this.webhooks.delete(tx, viewer.organizationId, id);
      if (!gone) throw notFound('webhook', id);
      await this.audit.record(tx, viewer.organizationId, { actor: viewer.actor, action: 'webhook.delete', targetType: 'Webhook', targetId: id, details: { url: gone.url } });
      return true;
    });
  }
}
