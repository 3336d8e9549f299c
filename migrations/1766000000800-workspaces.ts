import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workspaces: namespaces across clusters as a unit of policy and access.
 *
 * - `workspaces`: per organization, unique name.
 * - `workspace_namespaces`: (workspace, cluster, namespace), unique; the organization is stored
 *   with each row (and checked against the cluster's by a composite foreign key) so every read is
 *   scoped by organization without a join.
 * - `api_tokens.workspace_id`: a token restricted to a workspace (NULL: the whole organization).
 *   Deleting a workspace revokes nothing by cascade: it is refused while live tokens name it.
 * - `policies.workspace_id` and scope kind WORKSPACE.
 */
export class Workspaces1766000000800 implements MigrationInterface {
  name = 'Workspaces1766000000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        description text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name),
        UNIQUE (organization_id, id)
      );
      ALTER TABLE clusters ADD CONSTRAINT clusters_org_id_unique UNIQUE (organization_id, id);
      CREATE TABLE workspace_namespaces (
        workspace_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        cluster_id uuid NOT NULL,
        namespace text NOT NULL CHECK (namespace ~ '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' AND length(namespace) <= 63),
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, cluster_id, namespace),
        FOREIGN KEY (organization_id, workspace_id) REFERENCES workspaces (organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, cluster_id) REFERENCES clusters (organization_id, id) ON DELETE CASCADE
      );
      CREATE INDEX workspace_namespaces_cluster ON workspace_namespaces (cluster_id);

      ALTER TABLE api_tokens ADD COLUMN workspace_id uuid REFERENCES workspaces(id);

      ALTER TABLE policies ADD COLUMN workspace_id uuid REFERENCES workspaces(id);
      ALTER TABLE policies DROP CONSTRAINT policies_scope_kind_check;
      ALTER TABLE policies DROP CONSTRAINT policies_check;
      ALTER TABLE policies ADD CONSTRAINT policies_scope_kind_check CHECK (scope_kind IN ('ORGANIZATION', 'GROUP', 'CLUSTER', 'WORKSPACE'));
      ALTER TABLE policies ADD CONSTRAINT policies_scope_target_check CHECK (
          (scope_kind = 'ORGANIZATION' AND group_id IS NULL AND cluster_id IS NULL AND workspace_id IS NULL) OR
          (scope_kind = 'GROUP' AND group_id IS NOT NULL AND cluster_id IS NULL AND workspace_id IS NULL) OR
          (scope_kind = 'CLUSTER' AND cluster_id IS NOT NULL AND group_id IS NULL AND workspace_id IS NULL) OR
          (scope_kind = 'WORKSPACE' AND workspace_id IS NOT NULL AND group_id IS NULL AND cluster_id IS NULL));
      CREATE INDEX policies_workspace ON policies (workspace_id) WHERE deleted_at IS NULL AND workspace_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM policies WHERE scope_kind = 'WORKSPACE';
      ALTER TABLE policies DROP CONSTRAINT policies_scope_target_check;
      ALTER TABLE policies DROP CONSTRAINT policies_scope_kind_check;
      ALTER TABLE policies DROP COLUMN workspace_id;
      ALTER TABLE policies ADD CONSTRAINT policies_scope_kind_check CHECK (scope_kind IN ('ORGANIZATION', 'GROUP', 'CLUSTER'));
      ALTER TABLE policies ADD CONSTRAINT policies_check CHECK (
          (scope_kind = 'ORGANIZATION' AND group_id IS NULL AND cluster_id IS NULL) OR
          (scope_kind = 'GROUP' AND group_id IS NOT NULL AND cluster_id IS NULL) OR
          (scope_kind = 'CLUSTER' AND cluster_id IS NOT NULL AND group_id IS NULL));
      ALTER TABLE api_tokens DROP COLUMN workspace_id;
      DROP TABLE workspace_namespaces;
      ALTER TABLE clusters DROP CONSTRAINT clusters_org_id_unique;
      DROP TABLE workspaces;
    `);
  }
}
