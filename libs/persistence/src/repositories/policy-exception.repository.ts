import { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '@flotilla/validation';

/** What people did with an exception; EXPIRED is computed, never stored. */
export type PolicyExceptionState = 'REQUESTED' | 'APPROVED' | 'REJECTED' | 'REVOKED';
export type PolicyExceptionStatusName = PolicyExceptionState | 'EXPIRED';

/** An approved exception as a scan reads it (the shape libs/policy's ExceptionRule takes). */
export interface StoredExceptionRule {
  id: string;
  policyId: string;
  clusterId: string | null;
  groupId: string | null;
  namespace: string | null;
  kind: string | null;
  name: string | null;
  expiresAt: string;
}

export interface PolicyExceptionRow {
  id: string;
  organizationId: string;
  policyId: string;
  clusterId: string | null;
  groupId: string | null;
  namespace: string | null;
  kind: string | null;
  name: string | null;
  reason: string;
  ticket: string | null;
  state: PolicyExceptionState;
  /** The state, or EXPIRED once expires_at has passed (by the database clock) for a REQUESTED or APPROVED one. */
  status: PolicyExceptionStatusName;
  requestedBy: string;
  requestedByToken: string;
  approvedBy: string | null;
  expiresAt: Date;
  createdAt: Date;
}

export interface NewPolicyException {
  policyId: string;
  clusterId: string | null;
  groupId: string | null;
  namespace: string | null;
  kind: string | null;
  name: string | null;
  reason: string;
  ticket: string | null;
  expiresAt: Date;
  requestedBy: string;
  requestedByToken: string;
}

const STATUS = `CASE WHEN e.state IN ('REQUESTED', 'APPROVED') AND e.expires_at <= now() THEN 'EXPIRED' ELSE e.state END`;
const COLUMNS = `e.id, e.organization_id AS "organizationId", e.policy_id AS "policyId", e.cluster_id AS "clusterId", e.group_id AS "groupId",
  e.namespace, e.kind, e.name, e.reason, e.ticket, e.state, ${STATUS} AS status, e.requested_by AS "requestedBy",
  e.requested_by_token AS "requestedByToken", e.approved_by AS "approvedBy", e.expires_at AS "expiresAt", e.created_at AS "createdAt"`;

/** Policy exceptions: requested, approved by another admin, revoked; expiry is a comparison, not a job. */
export class PolicyExceptionRepository {
  constructor(private readonly db: DataSource) {}

  async create(tx: EntityManager, organizationId: string, e: NewPolicyException): Promise<PolicyExceptionRow> {
    const rows: PolicyExceptionRow[] = await tx.query(
      `INSERT INTO policy_exceptions AS e (organization_id, policy_id, cluster_id, group_id, namespace, kind, name, reason, ticket, expires_at, requested_by, requested_by_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
      [organizationId, e.policyId, e.clusterId, e.groupId, e.namespace, e.kind, e.name, e.reason, e.ticket, e.expiresAt, e.requestedBy, e.requestedByToken],
    );
    return rows[0];
  }

  async findById(organizationId: string, id: string, db: EntityManager | DataSource = this.db, lock = false): Promise<PolicyExceptionRow | null> {
    if (!isUuid(id)) return null;
    const rows: PolicyExceptionRow[] = await db.query(
      `SELECT ${COLUMNS} FROM policy_exceptions e WHERE e.organization_id = $1 AND e.id = $2${lock ? ' FOR UPDATE' : ''}`,
      [organizationId, id],
    );
    return rows[0] ?? null;
  }

  /** REQUESTED (and not expired) → APPROVED; null when it was not in that state. */
  async approve(tx: EntityManager, organizationId: string, id: string, approvedBy: string, approvedByToken: string): Promise<PolicyExceptionRow | null> {
    // An UPDATE answers [rows, count].
    const [rows]: [PolicyExceptionRow[], number] = await tx.query(
      `UPDATE policy_exceptions e SET state = 'APPROVED', approved_by = $3, approved_by_token = $4, approved_at = now()
        WHERE e.organization_id = $1 AND e.id = $2 AND e.state = 'REQUESTED' AND e.expires_at > now() AND e.requested_by_token <> $4
        RETURNING ${COLUMNS}`,
      [organizationId, id, approvedBy, approvedByToken],
    );
    return rows[0] ?? null;
  }

  /** REQUESTED or APPROVED → REVOKED; null when it was already REJECTED or REVOKED. */
  async revoke(tx: EntityManager, organizationId: string, id: string, revokedBy: string): Promise<PolicyExceptionRow | null> {
    const [rows]: [PolicyExceptionRow[], number] = await tx.query(
      `UPDATE policy_exceptions e SET state = 'REVOKED', revoked_by = $3, revoked_at = now()
        WHERE e.organization_id = $1 AND e.id = $2 AND e.state IN ('REQUESTED', 'APPROVED')
        RETURNING ${COLUMNS}`,
      [organizationId, id, revokedBy],
    );
    return rows[0] ?? null;
  }

  /** Newest first; filtered by computed status when statuses are given. */
  async list(organizationId: string, statuses: PolicyExceptionStatusName[] | null): Promise<PolicyExceptionRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM policy_exceptions e
        WHERE e.organization_id = $1 AND ($2::text[] IS NULL OR ${STATUS} = ANY($2::text[]))
        ORDER BY e.created_at DESC, e.id DESC LIMIT 1000`,
      [organizationId, statuses && statuses.length ? statuses : null],
    );
  }

  /**
   * Every organization's approved exceptions not yet noticed as expiring that expire within the
   * window (candidates; the caller decides with expiringExceptions), and the database's now.
   */
  async expiryCandidates(tx: EntityManager, days: number): Promise<{ now: Date; exceptions: PolicyExceptionRow[] }> {
    const exceptions: PolicyExceptionRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM policy_exceptions e
        WHERE e.state = 'APPROVED' AND e.expiring_noticed_at IS NULL AND e.expires_at <= now() + make_interval(days => $1)
        ORDER BY e.expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED`,
      [days],
    );
    const [{ now }] = await tx.query(`SELECT now() AS now`);
    return { now, exceptions };
  }

  /** Marks the expiring notice taken; returns the ids this call took (each is taken once). */
  async markExpiringNoticed(tx: EntityManager, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const [rows]: [Array<{ id: string }>, number] = await tx.query(
      `UPDATE policy_exceptions SET expiring_noticed_at = now() WHERE id = ANY($1::uuid[]) AND expiring_noticed_at IS NULL RETURNING id`,
      [ids],
    );
    return rows.map((r) => r.id);
  }
}
