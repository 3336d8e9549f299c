import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry: organizations, tokens, cluster groups, clusters and their encrypted credentials,
 * the audit log, the outbox and the durable job record. Indexes follow the dashboard's queries at
 * 10,000 clusters per organization: every list is (organization_id, <sort key>, id) so keyset
 * pagination never sorts.
 */
export class Registry1764000000000 implements MigrationInterface {
  name = 'Registry1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, email)
      );
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('ADMIN', 'OPERATOR', 'VIEWER')),
        token_prefix text NOT NULL UNIQUE,
        token_hash bytea NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX api_tokens_org ON api_tokens (organization_id, created_at DESC);

      CREATE TABLE cluster_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name)
      );

      CREATE TABLE clusters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        provider text NOT NULL DEFAULT 'GENERIC',
        region text,
        api_server_url text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING'
          CHECK (status IN ('PENDING', 'CONNECTED', 'DEGRADED', 'UNREACHABLE', 'DETACHED')),
        status_reason text,
        kubernetes_version text,
        -- kubernetes_version as a sortable key (v1.9 before v1.30), maintained by the repository.
        version_key text NOT NULL DEFAULT '',
        node_count integer NOT NULL DEFAULT 0,
        ready_node_count integer NOT NULL DEFAULT 0,
        labels jsonb NOT NULL DEFAULT '{}'::jsonb,
        group_id uuid REFERENCES cluster_groups(id) ON DELETE SET NULL,
        attached_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz,
        detached_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        next_sync_at timestamptz,
        management_cluster_id uuid REFERENCES clusters(id) ON DELETE SET NULL,
        management_namespace text,
        management_name text,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- A name is unique among the clusters an organization has attached; a detached one frees it.
      CREATE UNIQUE INDEX clusters_org_name ON clusters (organization_id, name) WHERE status <> 'DETACHED';
      CREATE INDEX clusters_org_name_id ON clusters (organization_id, name, id);
      CREATE INDEX clusters_org_attached ON clusters (organization_id, attached_at, id);
      CREATE INDEX clusters_org_last_seen ON clusters (organization_id, last_seen_at, id);
      CREATE INDEX clusters_org_version ON clusters (organization_id, version_key, id);
      CREATE INDEX clusters_org_status ON clusters (organization_id, status);
      CREATE INDEX clusters_org_group ON clusters (organization_id, group_id);
      CREATE INDEX clusters_labels ON clusters USING gin (labels jsonb_path_ops);
      CREATE INDEX clusters_sync_due ON clusters (next_sync_at) WHERE status <> 'DETACHED';
      CREATE INDEX clusters_management ON clusters (management_cluster_id) WHERE management_cluster_id IS NOT NULL;

      CREATE TABLE cluster_credentials (
        cluster_id uuid PRIMARY KEY REFERENCES clusters(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        key_id text NOT NULL,
        iv bytea NOT NULL,
        ciphertext bytea NOT NULL,
        auth_tag bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        target_type text,
        target_id text,
        outcome text NOT NULL DEFAULT 'SUCCESS',
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE INDEX audit_events_org ON audit_events (organization_id, id DESC);

      -- Written in the same transaction as the rows that need the job; the relay moves it to BullMQ.
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        queue text NOT NULL,
        job_name text NOT NULL,
        job_id text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      );
      CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

      CREATE TABLE jobs (
        id text PRIMARY KEY,
        organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
        queue text NOT NULL,
        job_name text NOT NULL,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
        attempts integer NOT NULL DEFAULT 0,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX jobs_created ON jobs (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs, outbox, audit_events, cluster_credentials, clusters, cluster_groups, api_tokens, users, organizations`);
  }
}
