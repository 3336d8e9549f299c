/**
 * The fleet events a webhook can subscribe to, and the payload (`data`) each one carries. A mapped
 * type over the event names makes an event without a payload shape a compile error; the README's
 * "Webhooks" section documents each shape.
 */
export enum WebhookEventType {
  SCAN_FINISHED = 'SCAN_FINISHED',
  COMPLIANCE_REGRESSED = 'COMPLIANCE_REGRESSED',
  CLUSTER_UNREACHABLE = 'CLUSTER_UNREACHABLE',
  UPGRADE_FINISHED = 'UPGRADE_FINISHED',
  CAMPAIGN_WAITING_FOR_APPROVAL = 'CAMPAIGN_WAITING_FOR_APPROVAL',
  CAMPAIGN_HALTED = 'CAMPAIGN_HALTED',
  CAMPAIGN_FINISHED = 'CAMPAIGN_FINISHED',
  EXCEPTION_EXPIRING = 'EXCEPTION_EXPIRING',
}

export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = Object.values(WebhookEventType);

export function isWebhookEventType(v: unknown): v is WebhookEventType {
  return typeof v === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(v);
}

export interface ClusterRef {
  id: string;
  name: string;
}

export interface WebhookEventPayloads {
  [WebhookEventType.SCAN_FINISHED]: {
    scanId: string;
    status: string;
    clusterCount: number;
    compliantCount: number;
    nonCompliantCount: number;
    erroredCount: number;
    violationCount: number;
    finishedAt: string;
  };
  [WebhookEventType.COMPLIANCE_REGRESSED]: {
    scanId: string;
    cluster: ClusterRef;
    previousStatus: 'COMPLIANT';
    status: 'NON_COMPLIANT';
    violationCount: number;
  };
  [WebhookEventType.CLUSTER_UNREACHABLE]: {
    cluster: ClusterRef;
    previousStatus: string;
    reason: string | null;
    consecutiveFailures: number;
  };
  [WebhookEventType.UPGRADE_FINISHED]: {
    upgradeId: string;
    cluster: ClusterRef;
    status: string;
    fromVersion: string;
    toVersion: string;
    error: string | null;
  };
  [WebhookEventType.CAMPAIGN_WAITING_FOR_APPROVAL]: {
    campaignId: string;
    name: string;
    waveIndex: number;
    waveName: string;
  };
  [WebhookEventType.CAMPAIGN_HALTED]: {
    campaignId: string;
    name: string;
    reason: string;
    clusters: ClusterRef[];
  };
  [WebhookEventType.CAMPAIGN_FINISHED]: {
    campaignId: string;
    name: string;
    status: 'SUCCEEDED' | 'CANCELLED' | 'HALTED';
    counts: { total: number; succeeded: number; failed: number; skipped: number };
  };
  [WebhookEventType.EXCEPTION_EXPIRING]: {
    exceptionId: string;
    policyId: string;
    cluster: ClusterRef | null;
    expiresAt: string;
  };
}

/** What a feature publishes, inside its own transaction, through FleetEvents.publish. */
export interface FleetEvent<T extends WebhookEventType = WebhookEventType> {
  organizationId: string;
  type: T;
  /** What the event is about, `kind/id`: `scan/<id>`, `cluster/<id>`, `upgrade/<id>`, `campaign/<id>`, `exception/<id>`. */
  subject: string;
  payload: WebhookEventPayloads[T];
  /**
   * The same key is one event (per organization): a handler that runs twice publishes once.
   * Default `${type}:${subject}`; give one when the same subject can have the event again
   * (a cluster turning UNREACHABLE a second time: add when it did).
   */
  idempotencyKey?: string;
  /** Default now. */
  occurredAt?: Date;
}

/** The JSON body every delivery of an event sends. */
export interface WebhookBody<T extends WebhookEventType = WebhookEventType> {
  id: string;
  type: T;
  occurredAt: string;
  organizationId: string;
  data: WebhookEventPayloads[T];
}

export function idempotencyKeyOf(e: Pick<FleetEvent, 'type' | 'subject' | 'idempotencyKey'>): string {
  return e.idempotencyKey ?? `${e.type}:${e.subject}`;
}
