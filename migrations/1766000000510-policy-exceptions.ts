import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policy exceptions: a policy waived for a target (a cluster or a group, a namespace, one object
 * by kind/namespace/name — combinable, at least one), with a reason, an optional ticket and a
 * required expiry. `state` is what people did (REQUESTED → APPROVED | REJECTED, → REVOKED);
 * EXPIRED is computed from expires_at against the evaluation's clock, never stored, so an expired
 * exception stops applying at the next evaluation without any timer.
 *
 * `policy_results.exempted` keeps the violations an exception waived (with its id), next to the
 * violations that count.
 */
export class PolicyExceptions1766000000510 implements MigrationInterface {
  name = 'PolicyExceptions1766000000510';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_exceptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        policy_id uuid NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
        cluster_id uuid REFERENCES clusters(id) ON DELETE CASCADE,
        group_id uuid REFERENCES cluster_groups(id) ON DELETE CASCADE,
        namespace text,
        kind text,
        name text,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        ticket text CHECK (length(ticket) <= 500),
        state text NOT NULL DEFAULT 'REQUESTED' CHECK (state IN ('REQUESTED', 'APPROVED', 'REJECTED', 'REVOKED')),
        requested_by text NOT NULL,
        requested_by_token uuid NOT NULL,
        approved_by text,
        approved_by_token uuid,
        approved_at timestamptz,
        revoked_by text,
        revoked_at timestamptz,
        expires_at timestamptz NOT NULL,
        -- When the EXCEPTION_EXPIRING notice was taken (once, whichever worker replica takes it).
        expiring_noticed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (cluster_id IS NULL OR group_id IS NULL),
        CHECK ((kind IS NULL) = (name IS NULL)),
        CHECK (cluster_id IS NOT NULL OR group_id IS NOT NULL OR namespace IS NOT NULL OR kind IS NOT NULL),
        CHECK (approved_by_token IS NULL OR approved_by_token <> requested_by_token)
      );
      CREATE INDEX policy_exceptions_org_state ON policy_exceptions (organization_id, state, expires_at);

      ALTER TABLE policy_results ADD COLUMN exempted jsonb NOT NULL DEFAULT '[]';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE policy_results DROP COLUMN exempted; DROP TABLE policy_exceptions;`);
  }
}
