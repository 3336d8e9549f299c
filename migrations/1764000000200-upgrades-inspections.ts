import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Upgrades, inspections and what management clusters offer.
 *
 * - `upgrades`: one row per requested upgrade. The partial UNIQUE index on (cluster_id) over the
 *   active statuses is what makes "one upgrade per cluster at a time" hold under concurrency: two
 *   concurrent startUpgrade calls race on the index, and the loser inserts nothing. `patched_at` is
 *   set once, when Flotilla patched Cluster.spec.topology.version, so a job that runs twice patches
 *   once; `deadline_at` is fixed when following starts so a re-run keeps the same deadline.
 * - `inspections`: one row per run, checks as JSONB (a handful to a few hundred per run, always
 *   read whole).
 * - `management_catalogs`: per management cluster, the releases it offers and the Cluster API
 *   Cluster objects it holds (url → namespace/name), written by the worker's sync so the API never
 *   calls a cluster, and so a workload cluster attached after its management cluster's sync can be
 *   linked on its own first sync.
 * Lists are (organization_id, cluster_id, created_at DESC, id DESC): `cluster.upgrades(first)` and
 * `cluster.inspections(first)` read newest first with keyset pagination and never sort.
 */
export class UpgradesInspections1764000000200 implements MigrationInterface {
  name = 'UpgradesInspections1764000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upgrades (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        from_version text NOT NULL,
        to_version text NOT NULL,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
        phase text NOT NULL DEFAULT 'PREFLIGHT' CHECK (phase IN ('PREFLIGHT', 'CONTROL_PLANE', 'WORKERS', 'VERIFYING', 'DONE')),
        error text,
        progress text,
        preflight_reasons jsonb,
        management_cluster_id uuid REFERENCES clusters(id) ON DELETE SET NULL,
        management_namespace text,
        management_name text,
        patched_version text,
        patched_at timestamptz,
        deadline_at timestamptz,
        last_progress_at timestamptz,
        follow_seq integer NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX upgrades_one_active_per_cluster ON upgrades (cluster_id) WHERE status IN ('QUEUED', 'RUNNING');
      CREATE INDEX upgrades_cluster_newest ON upgrades (organization_id, cluster_id, created_at DESC, id DESC);

      CREATE TABLE inspections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('CONFORMANCE_LITE', 'RBAC_RISK', 'DEPRECATED_APIS', 'POD_SECURITY')),
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
        passed integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        warnings integer NOT NULL DEFAULT 0,
        checks jsonb NOT NULL DEFAULT '[]'::jsonb,
        target_version text,
        error text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX inspections_cluster_newest ON inspections (organization_id, cluster_id, created_at DESC, id DESC);

      CREATE TABLE management_catalogs (
        cluster_id uuid PRIMARY KEY REFERENCES clusters(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        offered_versions text[] NOT NULL DEFAULT '{}',
        managed_clusters jsonb NOT NULL DEFAULT '[]'::jsonb,
        observed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX management_catalogs_org ON management_catalogs (organization_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE management_catalogs, inspections, upgrades`);
  }
}
