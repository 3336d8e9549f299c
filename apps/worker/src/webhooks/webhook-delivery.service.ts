import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { AppConfig } from '@flotilla/config';
import { CredentialCipher } from '@flotilla/cluster-access';
import { APP_CONFIG, CREDENTIAL_CIPHER } from '@flotilla/infrastructure';
import { WEBHOOK_LIMITS, WEBHOOK_SECRET_PURPOSE, deliveryBody, deliveryHeaders, verdictFor } from '@flotilla/notifications';
import { WebhookRepository } from '@flotilla/persistence';
import { JobName, JobPayloads } from '@flotilla/queue';
import { JobContext, JobHandlerRegistry } from '../jobs/job-handler.registry';
import { WebhookSender } from './webhook-sender';


/** An attempt that failed in a way worth retrying: BullMQ retries the job on the webhook schedule. */
class RetryableDeliveryFailure extends Error {}

/**
 * The deliver-webhook job: load the delivery (exit when it ended or its webhook is gone), decrypt
 * the secret here — it is never in a payload or a log — sign, send once, record the attempt on the
 * delivery and the webhook. Retryable failures throw so BullMQ retries with back-off; a refusal
 * (4xx other than 408/429) or the last attempt ends the delivery FAILED.
 */
@Injectable()
export class WebhookDeliveryService implements OnModuleInit {
  private readonly logger = new Logger(WebhookDeliveryService.name);
  private readonly sender: WebhookSender;

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly webhooks: WebhookRepository,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sender = new WebhookSender({ allowHttpLoopback: config.webhooks.allowHttpLoopback, timeoutMs: config.webhooks.timeoutMs });
  }

  onModuleInit(): void {
    this.registry.register(JobName.DeliverWebhook, (p, ctx) => this.deliver(p, ctx));
  }

  async deliver({ organizationId, deliveryId }: JobPayloads[JobName.DeliverWebhook], ctx: Pick<JobContext, 'lastAttempt'>): Promise<void> {
    const work = await this.webhooks.deliveryWork(organizationId, deliveryId);
    if (!work || work.status !== 'PENDING') return;
    const body = deliveryBody({ id: work.event.id, type: work.event.type, occurredAt: work.event.occurredAt, organizationId, payload: work.event.payload });
    if (Buffer.byteLength(body) > WEBHOOK_LIMITS.maxRequestBytes) {
      await this.webhooks.recordAttempt(organizationId, deliveryId, { status: 0, error: 'event body too large to send', delivered: false, final: true, at: new Date() });
      throw new UnrecoverableError(`webhook delivery ${deliveryId}: event body too large to send`);
    }
    const secret = this.cipher.openSecret(work.webhook.secret, WEBHOOK_SECRET_PURPOSE, [work.webhook.id, work.webhook.url]);
    const headers = deliveryHeaders({ secret, eventType: work.event.type, deliveryId, body, nowSeconds: Math.floor(Date.now() / 1000) });
    const result = await this.sender.send(work.webhook.url, headers, body);
    const verdict = verdictFor(result.status);
    const final = verdict !== 'retry' || ctx.lastAttempt;
    await this.webhooks.recordAttempt(organizationId, deliveryId, {
      status: result.status ?? 0,
      error: result.error,
      delivered: verdict === 'delivered',
      final,
      at: new Date(),
    });
    if (verdict === 'delivered') return;
    this.logger.debug({ deliveryId, webhookId: work.webhook.id, status: result.status, error: result.error }, 'webhook delivery failed');
    const why = `webhook delivery ${deliveryId}: ${result.error ?? `answered ${result.status}`}`;
    if (verdict === 'give-up') throw new UnrecoverableError(`${why} (not retried)`);
    throw new RetryableDeliveryFailure(ctx.lastAttempt ? `${why} (last attempt)` : `${why}; retrying`);
  }
}
