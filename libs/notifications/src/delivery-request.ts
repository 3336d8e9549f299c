import { WebhookBody, WebhookEventType } from './webhook-events';
import { signatureOf } from './webhook-signature';

export const WEBHOOK_HEADERS = {
  event: 'Flotilla-Event',
  delivery: 'Flotilla-Delivery',
  timestamp: 'Flotilla-Timestamp',
  signature: 'Flotilla-Signature',
} as const;

/** The JSON body of every delivery of an event (the same bytes for every webhook and attempt). */
export function deliveryBody(e: { id: string; type: string; occurredAt: Date; organizationId: string; payload: unknown }): string {
  const body: WebhookBody = {
    id: e.id,
    type: e.type as WebhookEventType,
    occurredAt: e.occurredAt.toISOString(),
    organizationId: e.organizationId,
    data: e.payload as WebhookBody['data'],
  };
  return JSON.stringify(body);
}

/** Headers of one attempt, signed now (a retry carries a new timestamp and signature). */
export function deliveryHeaders(a: { secret: string; eventType: string; deliveryId: string; body: string; nowSeconds: number }): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Flotilla-Webhooks/1',
    [WEBHOOK_HEADERS.event]: a.eventType,
    [WEBHOOK_HEADERS.delivery]: a.deliveryId,
    [WEBHOOK_HEADERS.timestamp]: String(a.nowSeconds),
    [WEBHOOK_HEADERS.signature]: signatureOf(a.secret, a.nowSeconds, a.body),
  };
}
