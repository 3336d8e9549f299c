import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clusters provisioned through Cluster API on an attached management cluster.
 *
 * - `cluster_provisionings`: one row per provisioned cluster (its `clusters` row is created with it,
 *   PENDING and never synced until the new cluster's credential is stored). `spec` is the resolved
 *   spec (no secrets), `phase` follows PROVISIONING → RUNNING, or DELETING → DELETED, or FAILED with
 *   `message` saying why. `deadline_at` is fixed when a phase starts (FLOTILLA_PROVISION_TIMEOUT_MINUTES)
 *   so follow-up jobs keep it; `follow_seq` is the compare-and-set that lets exactly one runner
 *   queue each follow-up; `applied_at` is the compare-and-set that lets exactly one runner apply the
 *   objects (and audit it). One live provisioning per Cluster object (management cluster, namespace, name).
 * - `management_catalogs.vm_classes` / `storage_classes`: what the management cluster offers besides
 *   releases, read at its sync like the offered versions, so the API validates a spec without
 *   calling a cluster.
 */
export class ClusterProvisionings1766000000700 implements MigrationInterface {
  name = 'ClusterProvisionings1766000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE management_catalogs ADD COLUMN vm_classes text[] NOT NULL DEFAULT '{}';
      ALTER TABLE management_catalogs ADD COLUMN storage_classes text[] NOT NULL DEFAULT '{}';

      CREATE TABLE cluster_provisionings (
        cluster_id uuid PRIMARY KEY REFERENCES clusters(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        management_cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        namespace text NOT NULL,
        name text NOT NULL,
        spec jsonb NOT NULL,
        phase text NOT NULL CHECK (phase IN ('PENDING', 'PROVISIONING', 'RUNNING', 'DELETING', 'DELETED', 'FAILED')),
        message text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        deadline_at timestamptz NOT NULL,
        follow_seq integer NOT NULL DEFAULT 0,
        applied_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX cluster_provisionings_org ON cluster_provisionings (organization_id);
      CREATE UNIQUE INDEX cluster_provisionings_live_object ON cluster_provisionings (management_cluster_id, namespace, name) WHERE phase <> 'DELETED';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE cluster_provisionings;
      ALTER TABLE management_catalogs DROP COLUMN storage_classes;
      ALTER TABLE management_catalogs DROP COLUMN vm_classes;
    `);
  }
}
