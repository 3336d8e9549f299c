import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed webhooks.
 *
 * - `webhooks`: a destination URL and the events it subscribes to; the signing secret sealed with
 *   AES-256-GCM (FLOTILLA_ENCRYPTION_KEY, the webhook id and URL as associated data), never in
 *   clear; the last delivery's time and HTTP status (0: no response) and since when it fails.
 * - `webhook_events`: one row per fleet event that had a subscriber, unique per organization and
 *   idempotency key, so a job that runs twice publishes once.
 * - `webhook_deliveries`: one row per (event, webhook): the unit a delivery job works on.
 */
export class Webhooks1766000000400 implements MigrationInterface {
  name = 'Webhooks1766000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        url text NOT NULL,
        events text[] NOT NULL,
        secret_key_id text NOT NULL,
        secret_iv bytea NOT NULL,
        secret_ciphertext bytea NOT NULL,
        secret_auth_tag bytea NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_delivery_at timestamptz,
        last_delivery_status int,
        failing_since timestamptz
      );
      CREATE INDEX webhooks_organization ON webhooks (organization_id);

      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        type text NOT NULL,
        subject text NOT NULL,
        idempotency_key text NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, idempotency_key)
      );
      CREATE INDEX webhook_events_created ON webhook_events (created_at);

      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
        webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
        attempts int NOT NULL DEFAULT 0,
        last_attempt_at timestamptz,
        last_status int,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (event_id, webhook_id)
      );
      CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id);
      CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (created_at) WHERE status = 'PENDING';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries; DROP TABLE webhook_events; DROP TABLE webhooks;`);
  }
}
