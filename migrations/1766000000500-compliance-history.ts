import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance history and trends (layout chosen on bench/compliance-history.bench.ts):
 *
 * - `policy_compliance_transitions`: one row per change of a (cluster, policy) status or violation
 *   count (not per scan), written by the statement that records the scan outcome. Cluster and
 *   policy names are copied in and there is no foreign key to clusters, policies or scans, so the
 *   history outlives all three. Read per cluster (btree on cluster_id, at); pruned by time (BRIN
 *   on at: the table is append-only in time order, so the BRIN is a few pages for 10⁷ rows).
 * - `cluster_compliance_transitions`: one row per change of a cluster's roll-up (status or total
 *   violations), with the state it replaced, so each row is a delta: +1 to the new status, −1 to
 *   the previous one. A detached or deleted cluster gets a REMOVED row (triggers below) and stops
 *   counting from then on. HOUR trends read it over the asked range.
 * - `compliance_trend_daily`: the same deltas summed per organization and UTC day (≤ 1 row per
 *   organization and day), so a DAY or WEEK trend over two years reads ≤ 730 rows. The state at the
 *   end of day D is the running sum of the deltas of every day ≤ D. Retention folds the days it
 *   prunes into the first kept day, so running sums stay exact.
 */
export class ComplianceHistory1766000000500 implements MigrationInterface {
  name = 'ComplianceHistory1766000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_compliance_transitions (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL,
        policy_id uuid NOT NULL,
        cluster_name text NOT NULL,
        policy_name text NOT NULL,
        at timestamptz NOT NULL,
        scan_id uuid,
        status text NOT NULL CHECK (status IN ('COMPLIANT', 'NON_COMPLIANT', 'ERROR')),
        violation_count integer NOT NULL
      );
      CREATE INDEX policy_compliance_transitions_cluster ON policy_compliance_transitions (cluster_id, at);
      CREATE INDEX policy_compliance_transitions_at ON policy_compliance_transitions USING brin (at);

      CREATE TABLE cluster_compliance_transitions (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL,
        cluster_name text NOT NULL,
        at timestamptz NOT NULL,
        scan_id uuid,
        status text NOT NULL CHECK (status IN ('COMPLIANT', 'NON_COMPLIANT', 'ERROR', 'REMOVED')),
        violation_count integer NOT NULL,
        previous_status text CHECK (previous_status IN ('COMPLIANT', 'NON_COMPLIANT', 'ERROR', 'REMOVED')),
        previous_violation_count integer NOT NULL DEFAULT 0
      );
      CREATE INDEX cluster_compliance_transitions_cluster ON cluster_compliance_transitions (cluster_id, at DESC);
      CREATE INDEX cluster_compliance_transitions_org_at ON cluster_compliance_transitions (organization_id, at);

      CREATE TABLE compliance_trend_daily (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        day date NOT NULL,
        compliant integer NOT NULL DEFAULT 0,
        non_compliant integer NOT NULL DEFAULT 0,
        errored integer NOT NULL DEFAULT 0,
        violations bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (organization_id, day)
      );

      -- One place that turns a cluster transition into its daily delta (the scan statement and the
      -- REMOVED triggers both insert transitions).
      CREATE FUNCTION compliance_transition_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO compliance_trend_daily AS d (organization_id, day, compliant, non_compliant, errored, violations)
        VALUES (NEW.organization_id, (NEW.at AT TIME ZONE 'UTC')::date,
                (NEW.status = 'COMPLIANT')::int - (NEW.previous_status IS NOT DISTINCT FROM 'COMPLIANT')::int,
                (NEW.status = 'NON_COMPLIANT')::int - (NEW.previous_status IS NOT DISTINCT FROM 'NON_COMPLIANT')::int,
                (NEW.status = 'ERROR')::int - (NEW.previous_status IS NOT DISTINCT FROM 'ERROR')::int,
                NEW.violation_count - NEW.previous_violation_count)
        ON CONFLICT (organization_id, day) DO UPDATE SET
          compliant = d.compliant + EXCLUDED.compliant,
          non_compliant = d.non_compliant + EXCLUDED.non_compliant,
          errored = d.errored + EXCLUDED.errored,
          violations = d.violations + EXCLUDED.violations;
        RETURN NULL;
      END $$;
      CREATE TRIGGER cluster_compliance_transitions_delta AFTER INSERT ON cluster_compliance_transitions
        FOR EACH ROW EXECUTE FUNCTION compliance_transition_delta();

      -- A cluster leaves the trend when it is detached or deleted, however that happens.
      CREATE FUNCTION cluster_compliance_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        c record;
        last record;
      BEGIN
        IF TG_OP = 'DELETE' THEN c := OLD; ELSE c := NEW; END IF;
        -- The organization itself is going: its history goes with it.
        IF NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.organization_id) THEN RETURN NULL; END IF;
        SELECT t.status, t.violation_count INTO last FROM cluster_compliance_transitions t
         WHERE t.cluster_id = c.id ORDER BY t.at DESC LIMIT 1;
        IF last IS NULL OR last.status = 'REMOVED' THEN RETURN NULL; END IF;
        INSERT INTO cluster_compliance_transitions (organization_id, cluster_id, cluster_name, at, status, violation_count, previous_status, previous_violation_count)
        VALUES (c.organization_id, c.id, c.name, greatest(now(), (SELECT max(at) FROM cluster_compliance_transitions WHERE cluster_id = c.id)), 'REMOVED', 0, last.status, last.violation_count);
        RETURN NULL;
      END $$;
      CREATE TRIGGER clusters_compliance_detached AFTER UPDATE OF status ON clusters
        FOR EACH ROW WHEN (NEW.status = 'DETACHED' AND OLD.status IS DISTINCT FROM 'DETACHED')
        EXECUTE FUNCTION cluster_compliance_removed();
      CREATE TRIGGER clusters_compliance_deleted AFTER DELETE ON clusters
        FOR EACH ROW WHEN (OLD.status <> 'DETACHED')
        EXECUTE FUNCTION cluster_compliance_removed();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER clusters_compliance_deleted ON clusters;
      DROP TRIGGER clusters_compliance_detached ON clusters;
      DROP FUNCTION cluster_compliance_removed();
      DROP TABLE compliance_trend_daily, cluster_compliance_transitions, policy_compliance_transitions;
      DROP FUNCTION compliance_transition_delta();
    `);
  }
}
