import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The attach identity cannot escalate, and credentials are bound to where they may go.
 *
 * - `organizations.access_bindable_roles`: the ClusterRoles ACCESS policies of the organization
 *   may bind (default view, edit, admin; cluster-admin only by an ADMIN's explicit opt-in).
 * - `clusters.bindable_roles`: the ClusterRoles the cluster's agent was given `bind` on at attach
 *   time (the `resourceNames` of that grant). NULL for clusters attached before this migration:
 *   their agent holds `bind` on every ClusterRole until re-attached with `--update`.
 * - `cluster_credentials.format`: 1 for rows sealed without associated data (every existing row),
 *   2 for rows bound to cluster id + API server URL. Existing rows are not re-encrypted here: that
 *   would need the encryption key in the migration; the worker re-encrypts each one bound to its
 *   current URL on first use (within one sync interval), and meanwhile `updateCluster` refuses a
 *   URL change without a new credential, so no legacy row can be pointed at a new URL.
 * - `policy_enforcement_targets`: the clusters on which an ENFORCE policy may have created objects
 *   (written before the first object is applied), so that deleting the policy or switching it to
 *   AUDIT cleans up exactly there. Backfilled from the results that recorded applied objects and
 *   from the current results of live ENFORCE policies of the kinds that create objects.
 */
export class AgentIdentityHardening1765000000300 implements MigrationInterface {
  name = 'AgentIdentityHardening1765000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE organizations ADD COLUMN access_bindable_roles text[] NOT NULL DEFAULT '{admin,edit,view}';
      ALTER TABLE clusters ADD COLUMN bindable_roles text[];
      ALTER TABLE cluster_credentials ADD COLUMN format smallint NOT NULL DEFAULT 1 CHECK (format IN (1, 2));

      CREATE TABLE policy_enforcement_targets (
        policy_id uuid NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        since timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (policy_id, cluster_id)
      );
      CREATE INDEX policy_enforcement_targets_cluster ON policy_enforcement_targets (cluster_id);

      INSERT INTO policy_enforcement_targets (policy_id, cluster_id, organization_id)
      SELECT DISTINCT r.policy_id, r.cluster_id, r.organization_id FROM policy_results r
       WHERE r.enforcement IS NOT NULL AND jsonb_array_length(coalesce(r.enforcement->'applied', '[]'::jsonb)) > 0
      UNION
      SELECT c.policy_id, c.cluster_id, c.organization_id FROM cluster_policy_results_current c
        JOIN policies p ON p.id = c.policy_id
       WHERE p.deleted_at IS NULL AND p.mode = 'ENFORCE' AND p.type IN ('ACCESS', 'NETWORK', 'QUOTA')
      ON CONFLICT DO NOTHING;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE policy_enforcement_targets;
      ALTER TABLE cluster_credentials DROP COLUMN format;
      ALTER TABLE clusters DROP COLUMN bindable_roles;
      ALTER TABLE organizations DROP COLUMN access_bindable_roles;
    `);
  }
}
