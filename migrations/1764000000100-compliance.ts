import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policies, compliance scans and their results, the current compliance of each cluster, and scan
 * schedules.
 *
 * - `scan_clusters` is the fan-out ledger: one row per (scan, cluster). A cluster job counts once
 *   because the scan's counters move only on its row's PENDING → done transition, in the same
 *   transaction as its results (a job that runs twice finds its row done and stores nothing).
 * - `policy_results` is history (one row per scan, cluster and policy). The dashboard never
 *   aggregates it: `cluster_compliance` (one row per cluster) and `cluster_policy_results_current`
 *   (one row per cluster and policy, pointing at the history row holding the violations) answer
 *   the roll-ups. Those pointers are foreign keys without cascade, so retention cannot delete a
 *   row the current state still needs.
 * - Policies are soft-deleted: history keeps naming them; a name is unique among live policies.
 */
export class Compliance1764000000100 implements MigrationInterface {
  name = 'Compliance1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        type text NOT NULL CHECK (type IN ('ACCESS', 'NETWORK', 'QUOTA', 'IMAGE_REGISTRY', 'SECURITY', 'LABELS')),
        mode text NOT NULL CHECK (mode IN ('AUDIT', 'ENFORCE')),
        spec jsonb NOT NULL,
        scope_kind text NOT NULL CHECK (scope_kind IN ('ORGANIZATION', 'GROUP', 'CLUSTER')),
        group_id uuid REFERENCES cluster_groups(id) ON DELETE CASCADE,
        cluster_id uuid REFERENCES clusters(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CHECK (
          (scope_kind = 'ORGANIZATION' AND group_id IS NULL AND cluster_id IS NULL) OR
          (scope_kind = 'GROUP' AND group_id IS NOT NULL AND cluster_id IS NULL) OR
          (scope_kind = 'CLUSTER' AND cluster_id IS NOT NULL AND group_id IS NULL))
      );
      CREATE UNIQUE INDEX policies_org_name ON policies (organization_id, name) WHERE deleted_at IS NULL;
      -- Effective policies of a cluster: the organization's live policies, narrowed by scope.
      CREATE INDEX policies_org_scope ON policies (organization_id, scope_kind) WHERE deleted_at IS NULL;

      CREATE TABLE scans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
        trigger text NOT NULL CHECK (trigger IN ('MANUAL', 'SCHEDULED')),
        scope_group_id uuid REFERENCES cluster_groups(id) ON DELETE SET NULL,
        scope_cluster_ids uuid[],
        -- The schedule tick a SCHEDULED scan was started for: one scan per tick, whoever claims it.
        schedule_tick timestamptz,
        created_by text NOT NULL,
        cluster_count integer NOT NULL,
        completed_count integer NOT NULL DEFAULT 0,
        failed_count integer NOT NULL DEFAULT 0,
        compliant_count integer NOT NULL DEFAULT 0,
        non_compliant_count integer NOT NULL DEFAULT 0,
        errored_count integer NOT NULL DEFAULT 0,
        violation_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CHECK (completed_count + failed_count <= cluster_count),
        UNIQUE (organization_id, schedule_tick)
      );
      CREATE INDEX scans_org_created ON scans (organization_id, created_at DESC, id DESC);
      CREATE INDEX scans_finished ON scans (finished_at) WHERE finished_at IS NOT NULL;

      CREATE TABLE scan_clusters (
        scan_id uuid NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'COMPLIANT', 'NON_COMPLIANT', 'ERROR')),
        violation_count integer NOT NULL DEFAULT 0,
        error text,
        finished_at timestamptz,
        PRIMARY KEY (scan_id, cluster_id)
      );
      CREATE INDEX scan_clusters_cluster ON scan_clusters (cluster_id);

      CREATE TABLE policy_results (
        scan_id uuid NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        policy_id uuid NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('COMPLIANT', 'NON_COMPLIANT', 'ERROR')),
        violation_count integer NOT NULL,
        violations jsonb NOT NULL,
        -- ENFORCE: what was applied, labelled or failed; null for AUDIT.
        enforcement jsonb,
        error text,
        checked_at timestamptz NOT NULL,
        PRIMARY KEY (scan_id, cluster_id, policy_id)
      );
      CREATE INDEX policy_results_checked ON policy_results (checked_at);
      CREATE INDEX policy_results_cluster ON policy_results (cluster_id, checked_at DESC);

      CREATE TABLE cluster_compliance (
        cluster_id uuid PRIMARY KEY REFERENCES clusters(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('COMPLIANT', 'NON_COMPLIANT', 'ERROR', 'UNKNOWN')),
        violation_count integer NOT NULL DEFAULT 0,
        reason text,
        checked_at timestamptz NOT NULL,
        last_scan_id uuid NOT NULL REFERENCES scans(id)
      );
      CREATE INDEX cluster_compliance_org_status ON cluster_compliance (organization_id, status);
      CREATE INDEX cluster_compliance_last_scan ON cluster_compliance (last_scan_id);

      CREATE TABLE cluster_policy_results_current (
        cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        policy_id uuid NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        scan_id uuid NOT NULL,
        status text NOT NULL,
        violation_count integer NOT NULL,
        checked_at timestamptz NOT NULL,
        PRIMARY KEY (cluster_id, policy_id),
        FOREIGN KEY (scan_id, cluster_id, policy_id) REFERENCES policy_results (scan_id, cluster_id, policy_id)
      );
      CREATE INDEX cluster_policy_results_current_policy ON cluster_policy_results_current (policy_id);
      CREATE INDEX cluster_policy_results_current_scan ON cluster_policy_results_current (scan_id);

      CREATE TABLE scan_schedules (
        organization_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        cron text NOT NULL,
        timezone text NOT NULL,
        enabled boolean NOT NULL,
        next_run_at timestamptz,
        last_run_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX scan_schedules_due ON scan_schedules (next_run_at) WHERE enabled;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE scan_schedules, cluster_policy_results_current, cluster_compliance, policy_results, scan_clusters, scans, policies`,
    );
  }
}
