import { DataSource, EntityManager } from 'typeorm';

/** What Flotilla knows of a cluster's agent: never a credential or token (only their hashes, which stay in here). */
export interface ClusterAgentState {
  clusterId: string;
  organizationId: string;
  registrationExpiresAt: Date;
  registrationUsedAt: Date | null;
  agentVersion: string | null;
  connectedAt: Date | null;
  disconnectedAt: Date | null;
  lastHeartbeatAt: Date | null;
  revokedAt: Date | null;
}

const STATE = `a.cluster_id AS "clusterId", a.organization_id AS "organizationId", a.registration_expires_at AS "registrationExpiresAt",
  a.registration_used_at AS "registrationUsedAt", a.agent_version AS "agentVersion", a.connected_at AS "connectedAt",
  a.disconnected_at AS "disconnectedAt", a.last_heartbeat_at AS "lastHeartbeatAt", a.revoked_at AS "revokedAt"`;

/**
 * cluster_agents: registrations, agent credentials (SHA-256 only) and what the API replica holding
 * an agent's tunnel last saw of it. Every lookup by a presented secret is by its hash, and every
 * answer names the cluster and organization the secret belongs to: an agent carries traffic only
 * for that cluster.
 */
export class ClusterAgentRepository {
  constructor(private readonly db: DataSource) {}

  async createRegistration(tx: EntityManager, organizationId: string, clusterId: string, tokenHash: Buffer, expiresAt: Date): Promise<void> {
    await tx.query(
      `INSERT INTO cluster_agents (cluster_id, organization_id, registration_token_hash, registration_expires_at) VALUES ($1, $2, $3, $4)`,
      [clusterId, organizationId, tokenHash, expiresAt],
    );
  }

  /**
   * Exchanges a registration token for the agent's credential, once: the token must be unused,
   * unexpired and its agent unrevoked, and its cluster attached. Null otherwise (the caller says
   * which, in one sentence that never tells a stranger whether a token existed).
   */
  async redeemRegistration(tokenHash: Buffer, credentialHash: Buffer): Promise<{ clusterId: string; organizationId: string } | null> {
    const rows: [Array<{ clusterId: string; organizationId: string }>, number] = await this.db.query(
      `UPDATE cluster_agents a SET registration_used_at = now(), credential_hash = $2, credential_issued_at = now()
         FROM clusters c
        WHERE a.registration_token_hash = $1 AND a.registration_used_at IS NULL AND a.registration_expires_at > now()
          AND a.revoked_at IS NULL AND c.id = a.cluster_id AND c.status <> 'DETACHED'
        RETURNING a.cluster_id AS "clusterId", a.organization_id AS "organizationId"`,
      [tokenHash, credentialHash],
    );
    return rows[0][0] ?? null;
  }

  /** The agent a credential belongs to, if it may still connect (not revoked, cluster attached). */
  async findByCredential(credentialHash: Buffer): Promise<{ clusterId: string; organizationId: string } | null> {
    const rows: Array<{ clusterId: string; organizationId: string }> = await this.db.query(
      `SELECT a.cluster_id AS "clusterId", a.organization_id AS "organizationId" FROM cluster_agents a JOIN clusters c ON c.id = a.cluster_id
        WHERE a.credential_hash = $1 AND a.revoked_at IS NULL AND c.status <> 'DETACHED'`,
      [credentialHash],
    );
    return rows[0] ?? null;
  }

  /** Whether the credential was once valid and is revoked now (the agent should stop trying). */
  async isRevokedCredential(credentialHash: Buffer): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM cluster_agents a JOIN clusters c ON c.id = a.cluster_id WHERE a.credential_hash = $1 AND (a.revoked_at IS NOT NULL OR c.status = 'DETACHED')`,
      [credentialHash],
    );
    return rows.length > 0;
  }

  /** Replaces the agent's credential (rotation over its live tunnel): the old one never connects again. */
  async rotateCredential(organizationId: string, clusterId: string, oldHash: Buffer, newHash: Buffer): Promise<boolean> {
    const res: [unknown[], number] = await this.db.query(
      `UPDATE cluster_agents SET credential_hash = $4, credential_issued_at = now()
        WHERE organization_id = $1 AND cluster_id = $2 AND credential_hash = $3 AND revoked_at IS NULL`,
      [organizationId, clusterId, oldHash, newHash],
    );
    return res[1] === 1;
  }

  /** The agent connected (to some API replica): its version, and the cluster's next sync is due now. */
  async markConnected(organizationId: string, clusterId: string, agentVersion: string, apiServerUrl: string | null): Promise<void> {
    await this.db.query(
      `WITH a AS (UPDATE cluster_agents SET connected_at = now(), last_heartbeat_at = now(), disconnected_at = NULL, agent_version = $3
                   WHERE organization_id = $1 AND cluster_id = $2 RETURNING cluster_id)
       UPDATE clusters SET next_sync_at = now(), updated_at = now(), api_server_url = coalesce($4, api_server_url)
        WHERE organization_id = $1 AND id IN (SELECT cluster_id FROM a) AND status <> 'DETACHED'`,
      [organizationId, clusterId, agentVersion, apiServerUrl],
    );
  }

  /**
   * The tunnel closed. The cluster's next sync comes just after the grace period, so an agent gone
   * for longer turns its cluster UNREACHABLE ("agent disconnected at T") without waiting a full interval.
   */
  async markDisconnected(organizationId: string, clusterId: string, graceSeconds: number): Promise<void> {
    await this.db.query(
      `WITH a AS (UPDATE cluster_agents SET disconnected_at = now() WHERE organization_id = $1 AND cluster_id = $2 RETURNING cluster_id)
       UPDATE clusters SET next_sync_at = least(coalesce(next_sync_at, 'infinity'), now() + make_interval(secs => $3::float8)), updated_at = now()
        WHERE organization_id = $1 AND id IN (SELECT cluster_id FROM a) AND status <> 'DETACHED'`,
      [organizationId, clusterId, graceSeconds + 1],
    );
  }

  /** Heartbeats seen since the last flush, in one statement. */
  async recordHeartbeats(beats: Array<{ clusterId: string; at: Date }>): Promise<void> {
    if (beats.length === 0) return;
    await this.db.query(
      `UPDATE cluster_agents a SET last_heartbeat_at = b.at FROM unnest($1::uuid[], $2::timestamptz[]) AS b(id, at) WHERE a.cluster_id = b.id`,
      [beats.map((b) => b.clusterId), beats.map((b) => b.at)],
    );
  }

  /** Ends the agent's credential for good; its cluster is UNREACHABLE with the reason at once. False when there was nothing to revoke. */
  async revoke(tx: EntityManager, organizationId: string, clusterId: string): Promise<boolean> {
    const rows: Array<{ at: Date }> = await tx.query(
      `WITH a AS (UPDATE cluster_agents SET revoked_at = now(), disconnected_at = coalesce(disconnected_at, now())
                   WHERE organization_id = $1 AND cluster_id = $2 AND revoked_at IS NULL RETURNING cluster_id, revoked_at),
            c AS (UPDATE clusters SET status = 'UNREACHABLE', status_reason = 'agent revoked at ' || to_char((SELECT revoked_at FROM a) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                         updated_at = now()
                   WHERE organization_id = $1 AND id IN (SELECT cluster_id FROM a) AND status <> 'DETACHED')
       SELECT revoked_at AS at FROM a`,
      [organizationId, clusterId],
    );
    return rows.length === 1;
  }

  async isAgentCluster(organizationId: string, clusterId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM clusters WHERE organization_id = $1 AND id = $2 AND connection_mode = 'AGENT'`, [organizationId, clusterId]);
    return rows.length > 0;
  }

  async find(organizationId: string, clusterId: string): Promise<ClusterAgentState | null> {
    const rows: ClusterAgentState[] = await this.db.query(`SELECT ${STATE} FROM cluster_agents a WHERE a.organization_id = $1 AND a.cluster_id = $2`, [organizationId, clusterId]);
    return rows[0] ?? null;
  }

  async findMany(organizationId: string, clusterIds: readonly string[]): Promise<ClusterAgentState[]> {
    return this.db.query(`SELECT ${STATE} FROM cluster_agents a WHERE a.organization_id = $1 AND a.cluster_id = ANY($2::uuid[])`, [organizationId, clusterIds]);
  }
}
