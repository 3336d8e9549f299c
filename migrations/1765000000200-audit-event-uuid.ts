import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit event ids become UUIDv7 (time-ordered, random below the millisecond) instead of one bigserial
 * across every organization, whose gaps told a tenant how busy the others were. Existing rows get a
 * UUIDv7 built from their `at` millisecond and, below it, their order within their own organization
 * (12 bits), so the newest-first keyset order is kept and nothing counts across organizations. New
 * ids are made by the application (AuditRepository.record); the column default is the same shape
 * for any other writer. `outcome` gains DENIED (a refused mutation) beside SUCCESS and FAILURE.
 */
export class AuditEventUuid1765000000200 implements MigrationInterface {
  name = 'AuditEventUuid1765000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_events ADD COLUMN uid uuid;
      WITH numbered AS (
        SELECT id,
               floor(extract(epoch FROM at) * 1000)::bigint AS ms,
               row_number() OVER (PARTITION BY organization_id, floor(extract(epoch FROM at) * 1000) ORDER BY id) - 1 AS seq
        FROM audit_events
      )
      UPDATE audit_events e
         SET uid = (lpad(to_hex(n.ms), 12, '0') || '7' || lpad(to_hex(least(n.seq, 4095)), 3, '0') || replace(substr(gen_random_uuid()::text, 20), '-', ''))::uuid
        FROM numbered n
       WHERE n.id = e.id;
      ALTER TABLE audit_events DROP COLUMN id;
      ALTER TABLE audit_events RENAME COLUMN uid TO id;
      ALTER TABLE audit_events
        ALTER COLUMN id SET NOT NULL,
        ALTER COLUMN id SET DEFAULT (lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(replace(gen_random_uuid()::text, '-', ''), 14))::uuid,
        ADD PRIMARY KEY (id);
      CREATE INDEX audit_events_org ON audit_events (organization_id, id DESC);
      ALTER TABLE audit_events ADD CONSTRAINT audit_events_outcome CHECK (outcome IN ('SUCCESS', 'FAILURE', 'DENIED'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_events DROP CONSTRAINT audit_events_outcome;
      ALTER TABLE audit_events RENAME COLUMN id TO uid;
      ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
      ALTER TABLE audit_events ADD COLUMN id bigserial;
      WITH ordered AS (SELECT uid, row_number() OVER (ORDER BY uid) AS n FROM audit_events)
      UPDATE audit_events e SET id = o.n FROM ordered o WHERE o.uid = e.uid;
      SELECT setval(pg_get_serial_sequence('audit_events', 'id'), coalesce((SELECT max(id) FROM audit_events), 0) + 1, false);
      ALTER TABLE audit_events DROP COLUMN uid, ADD PRIMARY KEY (id);
      CREATE INDEX audit_events_org ON audit_events (organization_id, id DESC);
    `);
  }
}
