import { DataSource, EntityManager } from 'typeorm';

/** A webhook as the API shows it: never its secret. */
export interface WebhookRow {
  id: string;
  organizationId: string;
  url: string;
  events: string[];
  createdBy: string;
  createdAt: Date;
  lastDeliveryAt: Date | null;
  lastDeliveryStatus: number | null;
  failingSince: Date | null;
}

export interface SealedSecret {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

export interface NewWebhook {
  id: string;
  url: string;
  events: string[];
  createdBy: string;
  secret: SealedSecret;
}

/** What a delivery job loads: the delivery, its event and its webhook with the sealed secret. */
export interface DeliveryWork {
  deliveryId: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  event: { id: string; type: string; payload: Record<string, unknown>; occurredAt: Date };
  webhook: { id: string; url: string; secret: SealedSecret };
}

export interface NewFleetEventRow {
  type: string;
  subject: string;
  idempotencyKey: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

const COLUMNS = `id, organization_id AS "organizationId", url, events, created_by AS "createdBy", created_at AS "createdAt",
  last_delivery_at AS "lastDeliveryAt", last_delivery_status AS "lastDeliveryStatus", failing_since AS "failingSince"`;

/** Webhooks, the events published to them, and their deliveries; every method scoped by organization. */
export class WebhookRepository {
  constructor(private readonly db: DataSource) {}

  async list(organizationId: string): Promise<WebhookRow[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM webhooks WHERE organization_id = $1 ORDER BY created_at, id`, [organizationId]);
  }

  async count(organizationId: string): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(`SELECT count(*)::int AS n FROM webhooks WHERE organization_id = $1`, [organizationId]);
    return rows[0].n;
  }

  async create(tx: EntityManager, organizationId: string, w: NewWebhook): Promise<WebhookRow> {
    const rows: WebhookRow[] = await tx.query(
      `INSERT INTO webhooks (id, organization_id, url, events, secret_key_id, secret_iv, secret_ciphertext, secret_auth_tag, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [w.id, organizationId, w.url, w.events, w.secret.keyId, w.secret.iv, w.secret.ciphertext, w.secret.authTag, w.createdBy],
    );
    return rows[0];
  }

  /** Deletes the webhook and (cascade) its pending deliveries; jobs already queued find nothing and end. */
  async delete(tx: EntityManager, organizationId: string, id: string): Promise<WebhookRow | null> {
    const rows: [WebhookRow[], number] = await tx.query(`DELETE FROM webhooks WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [organizationId, id]);
    return rows[0][0] ?? null;
  }

  /**
   * One statement: the event (only when a webhook of the organization subscribes to its type, and
   * only once per idempotency key) and a delivery per subscribed webhook. Returns the new
   * deliveries' ids (none when nobody subscribes or the event was already published).
   */
  async insertEvent(tx: EntityManager, organizationId: string, e: NewFleetEventRow): Promise<{ eventId: string | null; deliveryIds: string[] }> {
    const rows: Array<{ event_id: string; delivery_id: string }> = await tx.query(
      `WITH hooks AS (SELECT id FROM webhooks WHERE organization_id = $1 AND $2 = ANY(events)),
       ev AS (
         INSERT INTO webhook_events (organization_id, type, subject, idempotency_key, payload, occurred_at)
         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM hooks)
         ON CONFLICT (organization_id, idempotency_key) DO NOTHING
         RETURNING id)
       INSERT INTO webhook_deliveries (organization_id, event_id, webhook_id)
       SELECT $1, ev.id, hooks.id FROM ev, hooks
       ON CONFLICT (event_id, webhook_id) DO NOTHING
       RETURNING event_id, id AS delivery_id`,
      [organizationId, e.type, e.subject, e.idempotencyKey, JSON.stringify(e.payload), e.occurredAt],
    );
    return { eventId: rows[0]?.event_id ?? null, deliveryIds: rows.map((r) => r.delivery_id) };
  }

  async deliveryWork(organizationId: string, deliveryId: string): Promise<DeliveryWork | null> {
    const rows: Array<Record<string, any>> = await this.db.query(
      `SELECT d.id, d.status, d.attempts, e.id AS event_id, e.type, e.payload, e.occurred_at,
              w.id AS webhook_id, w.url, w.secret_key_id, w.secret_iv, w.secret_ciphertext, w.secret_auth_tag
         FROM webhook_deliveries d
         JOIN webhook_events e ON e.id = d.event_id
         JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.organization_id = $1 AND d.id = $2`,
      [organizationId, deliveryId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      deliveryId: r.id,
      status: r.status,
      attempts: r.attempts,
      event: { id: r.event_id, type: r.type, payload: r.payload, occurredAt: r.occurred_at },
      webhook: { id: r.webhook_id, url: r.url, secret: { keyId: r.secret_key_id, iv: r.secret_iv, ciphertext: r.secret_ciphertext, authTag: r.secret_auth_tag } },
    };
  }

  /**
   * One attempt's result, on the delivery and its webhook in one transaction: `final` ends the
   * delivery (DELIVERED, or FAILED when no retry follows). A success clears the webhook's
   * failingSince; a failure sets it if it was not failing already. A delivery that already ended
   * (a job run twice) changes nothing.
   */
  async recordAttempt(
    organizationId: string,
    deliveryId: string,
    a: { status: number; error: string | null; delivered: boolean; final: boolean; at: Date },
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows: [Array<{ webhook_id: string }>, number] = await tx.query(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $3::timestamptz, last_status = $4::int, last_error = $5::text,
                status = CASE WHEN $6::boolean THEN 'DELIVERED' WHEN $7::boolean THEN 'FAILED' ELSE 'PENDING' END,
                delivered_at = CASE WHEN $6::boolean THEN $3::timestamptz ELSE NULL END
          WHERE organization_id = $1 AND id = $2 AND status = 'PENDING'
          RETURNING webhook_id`,
        [organizationId, deliveryId, a.at, a.status, a.error, a.delivered, a.final],
      );
      const webhookId = rows[0][0]?.webhook_id;
      if (!webhookId) return false;
      await tx.query(
        `UPDATE webhooks SET last_delivery_at = $3::timestamptz, last_delivery_status = $4::int,
                failing_since = CASE WHEN $5::boolean THEN NULL ELSE coalesce(failing_since, $3::timestamptz) END
          WHERE organization_id = $1 AND id = $2 AND (last_delivery_at IS NULL OR last_delivery_at <= $3::timestamptz)`,
        [organizationId, webhookId, a.at, a.status, a.delivered],
      );
      return true;
    });
  }

  /** Deliveries still PENDING that are older than `minutes` (their job may be lost): for the stranded-work sweep. */
  async pendingOlderThan(minutes: number, limit = 1000): Promise<Array<{ organizationId: string; deliveryId: string }>> {
    return this.db.query(
      `SELECT organization_id AS "organizationId", id AS "deliveryId" FROM webhook_deliveries
        WHERE status = 'PENDING' AND created_at < now() - make_interval(mins => $1) ORDER BY created_at LIMIT $2`,
      [minutes, limit],
    );
  }

  /** Events (and their deliveries) older than the retention are pruned. */
  async pruneEventsOlderThan(days: number): Promise<number> {
    const r: [unknown[], number] = await this.db.query(`DELETE FROM webhook_events WHERE created_at < now() - make_interval(days => $1)`, [days]);
    return r[1];
  }
}
