import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A carried-over verdict no longer copies its violations (issue 15: unchanged results need not be
 * rewritten). Copying them cost PostgreSQL about a third of a repeat scan's work per cluster:
 * reading the previous row's violations back out of TOAST and compressing them again.
 *
 * - `policy_results.violations_from`: for a result carried over from an earlier scan, the scan whose
 *   row (same cluster and policy) holds the violations, always the row that was evaluated, never
 *   another carried-over one; `violations` is then NULL. Exactly one of the two is set.
 * - The foreign key keeps a referenced row from going while a row points at it (retention skips it);
 *   its partial index serves that check and retention's "is anything pointing here?".
 * - Violations are compressed with lz4 where the server has it (as the snapshot cache is): a first
 *   scan writes every cluster's, and pglz cost PostgreSQL more.
 */
export class CarriedViolations1766000001100 implements MigrationInterface {
  name = 'CarriedViolations1766000001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE policy_results
        ADD COLUMN violations_from uuid,
        ALTER COLUMN violations DROP NOT NULL,
        ADD CONSTRAINT policy_results_violations_once CHECK ((violations IS NULL) = (violations_from IS NOT NULL)),
        ADD CONSTRAINT policy_results_violations_from_fkey FOREIGN KEY (violations_from, cluster_id, policy_id)
          REFERENCES policy_results (scan_id, cluster_id, policy_id);
      CREATE INDEX policy_results_violations_from ON policy_results (violations_from, cluster_id, policy_id) WHERE violations_from IS NOT NULL;
      DO $$ BEGIN
        ALTER TABLE policy_results ALTER COLUMN violations SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this PostgreSQL has no lz4: violations stay compressed with pglz';
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE policy_results r SET violations = s.violations, violations_from = NULL
        FROM policy_results s
       WHERE r.violations_from IS NOT NULL AND s.scan_id = r.violations_from AND s.cluster_id = r.cluster_id AND s.policy_id = r.policy_id;
      ALTER TABLE policy_results
        ALTER COLUMN violations SET COMPRESSION default,
        DROP CONSTRAINT policy_results_violations_from_fkey,
        DROP CONSTRAINT policy_results_violations_once,
        DROP COLUMN violations_from,
        ALTER COLUMN violations SET NOT NULL;
    `);
  }
}
