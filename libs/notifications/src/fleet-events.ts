import type { EntityManager } from 'typeorm';
import { OutboxRepository, WebhookRepository } from '@flotilla/persistence';
import { JobName, jobIds, outboxMessage } from '@flotilla/queue';
import { FleetEvent, WebhookEventType, idempotencyKeyOf } from './webhook-events';

/**
 * The one seam every feature publishes a fleet event through, with the transaction of the change
 * that caused it: the event, a delivery per subscribed webhook and their outbox rows commit or roll
 * back with that change. Nothing is sent here — the worker's delivery jobs do that — so a slow,
 * failing or hostile receiver never delays or fails the work. With no subscriber it writes nothing
 * (one indexed read); the same idempotency key twice is one event.
 */
export class FleetEvents {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async publish<T extends WebhookEventType>(tx: EntityManager, event: FleetEvent<T>): Promise<{ eventId: string | null; deliveries: number }> {
    const { eventId, deliveryIds } = await this.webhooks.insertEvent(tx, event.organizationId, {
      type: event.type,
      subject: event.subject,
      idempotencyKey: idempotencyKeyOf(event),
      payload: event.payload as unknown as Record<string, unknown>,
      occurredAt: event.occurredAt ?? new Date(),
    });
    await this.outbox.add(
      tx,
      deliveryIds.map((deliveryId) => outboxMessage(JobName.DeliverWebhook, jobIds.deliverWebhook(deliveryId), { organizationId: event.organizationId, deliveryId })),
    );
    return { eventId, deliveries: deliveryIds.length };
  }
}
