// Fleet events and signed webhooks: event names and payloads, signing, destination rules, the
// retry schedule (pure), and FleetEvents, the seam features publish through.
export { WEBHOOK_EVENT_TYPES, WebhookEventType, idempotencyKeyOf, isWebhookEventType } from './webhook-events';
export type { ClusterRef, FleetEvent, WebhookBody, WebhookEventPayloads } from './webhook-events';
export { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_VERSION, WEBHOOK_SECRET_PURPOSE, generateWebhookSecret, signatureOf, verifySignature } from './webhook-signature';
export type { VerifyResult } from './webhook-signature';
export { WEBHOOK_URL_MAX, addressRefusal, isLoopbackHost, webhookUrl } from './webhook-url';
export type { WebhookUrlOptions } from './webhook-url';
export { WEBHOOK_BACKOFF_TYPE, WEBHOOK_LIMITS, retryDelayMs, verdictFor } from './delivery-policy';
export type { DeliveryVerdict } from './delivery-policy';
export { WEBHOOK_HEADERS, deliveryBody, deliveryHeaders } from './delivery-request';
export { FleetEvents } from './fleet-events';
export { CampaignEvents, campaignEventsProvider, campaignEventOf } from './campaign-events';
export type { CampaignEventName } from './campaign-events';
