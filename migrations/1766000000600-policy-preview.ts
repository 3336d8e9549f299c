import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CUSTOM (CEL) policies, and the snapshot cache that previewPolicy evaluates on.
 *
 * - `policies.type` accepts CUSTOM.
 * - `cluster_snapshots`: one row per cluster, replaced by each scan that lists it: the objects
 *   policies read, compacted (no managedFields, status, last-applied annotation) and gzip'd JSON in
 *   bytea. Deleted with the cluster (FK cascade) and pruned with scan retention by age.
 */
export class PolicyPreview1766000000600 implements MigrationInterface {
  name = 'PolicyPreview1766000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE policies DROP CONSTRAINT IF EXISTS policies_type_check;
      ALTER TABLE policies ADD CONSTRAINT policies_type_check CHECK (type IN ('ACCESS', 'NETWORK', 'QUOTA', 'IMAGE_REGISTRY', 'SECURITY', 'LABELS', 'CUSTOM'));

      CREATE TABLE cluster_snapshots (
        cluster_id uuid PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        taken_at timestamptz NOT NULL,
        kinds text[] NOT NULL,
        object_count int NOT NULL,
        kubernetes_version text,
        -- One gzip'd JSON array per kind, in the order of kinds.
        content bytea[] NOT NULL
      );
      CREATE INDEX cluster_snapshots_org ON cluster_snapshots (organization_id);
      CREATE INDEX cluster_snapshots_taken_at ON cluster_snapshots (taken_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE cluster_snapshots;
      DELETE FROM policies WHERE type = 'CUSTOM';
      ALTER TABLE policies DROP CONSTRAINT IF EXISTS policies_type_check;
      ALTER TABLE policies ADD CONSTRAINT policies_type_check CHECK (type IN ('ACCESS', 'NETWORK', 'QUOTA', 'IMAGE_REGISTRY', 'SECURITY', 'LABELS'));
    `);
  }
}
