import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clusters reached through an outbound agent (issue 10).
 *
 * - `clusters.connection_mode`: DIRECT (the worker dials the API server with a stored credential;
 *   every existing cluster) or AGENT (the cluster's agent connects out to the API; nothing is
 *   stored in cluster_credentials for it).
 * - `cluster_agents`: one row per agent cluster. The one-time registration token and the agent's
 *   own credential are stored only as SHA-256 (like API tokens); `registration_used_at` makes the
 *   registration token one-time, `revoked_at` ends the credential for good. `connected_at`,
 *   `disconnected_at` and `last_heartbeat_at` are what the API replica holding the tunnel last saw.
 */
export class ClusterAgents1766000000100 implements MigrationInterface {
  name = 'ClusterAgents1766000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE clusters ADD COLUMN connection_mode text NOT NULL DEFAULT 'DIRECT' CHECK (connection_mode IN ('DIRECT', 'AGENT'));
      CREATE INDEX clusters_agent_mode ON clusters (organization_id) WHERE connection_mode = 'AGENT';

      CREATE TABLE cluster_agents (
        cluster_id uuid PRIMARY KEY REFERENCES clusters(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        registration_token_hash bytea NOT NULL UNIQUE,
        registration_expires_at timestamptz NOT NULL,
        registration_used_at timestamptz,
        credential_hash bytea UNIQUE,
        credential_issued_at timestamptz,
        agent_version text,
        connected_at timestamptz,
        disconnected_at timestamptz,
        last_heartbeat_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX cluster_agents_organization ON cluster_agents (organization_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE cluster_agents;
      DROP INDEX clusters_agent_mode;
      ALTER TABLE clusters DROP COLUMN connection_mode;
    `);
  }
}
