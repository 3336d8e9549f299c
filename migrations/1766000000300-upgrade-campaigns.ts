import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fleet upgrade campaigns: the state machine lives here, advanced by the worker's campaign loop.
 *
 * - `upgrade_campaigns`: one row per campaign; `next_tick_at` is when the loop looks at it next
 *   (NULL once nothing can change any more). Workers claim due rows with FOR UPDATE SKIP LOCKED and
 *   apply one step in that transaction, so replicas never advance one campaign at once.
 * - `campaign_waves`: the planned waves, their soak and approval; `baseline_compliant` holds the
 *   wave's clusters that were COMPLIANT when it began, `soak_scan_id` the re-scan of its soak.
 * - `campaign_clusters`: each planned cluster in its wave. `upgrade_id` is written in the same
 *   transaction that creates the upgrade (UNIQUE: one upgrade per campaign cluster, never two), and
 *   a cluster leaves PENDING only there. The partial UNIQUE index on cluster_id over
 *   `campaign_active` keeps a cluster in one running campaign at a time; it is cleared when the
 *   campaign ends.
 */
export class UpgradeCampaigns1766000000300 implements MigrationInterface {
  name = 'UpgradeCampaigns1766000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upgrade_campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        target_version text NOT NULL,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'WAITING_FOR_WINDOW', 'RUNNING', 'SOAKING', 'WAITING_FOR_APPROVAL', 'PAUSED', 'HALTED', 'SUCCEEDED', 'CANCELLED')),
        status_reason text,
        max_concurrent integer CHECK (max_concurrent >= 1),
        max_failed_clusters integer CHECK (max_failed_clusters >= 0),
        max_failed_percent integer CHECK (max_failed_percent BETWEEN 0 AND 100),
        halt_on_unreachable boolean NOT NULL DEFAULT false,
        halt_on_compliance_regression boolean NOT NULL DEFAULT false,
        window_cron text,
        window_duration_minutes integer,
        window_timezone text,
        created_by text NOT NULL,
        created_by_token_id uuid,
        next_tick_at timestamptz DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (organization_id, name),
        CHECK ((window_cron IS NULL) = (window_duration_minutes IS NULL))
      );
      CREATE INDEX upgrade_campaigns_due ON upgrade_campaigns (next_tick_at) WHERE next_tick_at IS NOT NULL;
      CREATE INDEX upgrade_campaigns_org_created ON upgrade_campaigns (organization_id, created_at DESC, id DESC);

      CREATE TABLE campaign_waves (
        campaign_id uuid NOT NULL REFERENCES upgrade_campaigns(id) ON DELETE CASCADE,
        wave_index integer NOT NULL,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'RUNNING', 'SOAKING', 'WAITING_FOR_APPROVAL', 'SUCCEEDED', 'HALTED', 'CANCELLED')),
        soak_minutes integer NOT NULL,
        requires_approval boolean NOT NULL,
        approved_by text,
        approved_at timestamptz,
        started_at timestamptz,
        soak_ends_at timestamptz,
        finished_at timestamptz,
        baseline_compliant uuid[],
        soak_scan_id uuid REFERENCES scans(id) ON DELETE SET NULL,
        PRIMARY KEY (campaign_id, wave_index)
      );

      CREATE TABLE campaign_clusters (
        campaign_id uuid NOT NULL REFERENCES upgrade_campaigns(id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        wave_index integer NOT NULL,
        position integer NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED')),
        reason text,
        upgrade_id uuid UNIQUE REFERENCES upgrades(id) ON DELETE SET NULL,
        campaign_active boolean NOT NULL DEFAULT true,
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (campaign_id, cluster_id),
        FOREIGN KEY (campaign_id, wave_index) REFERENCES campaign_waves(campaign_id, wave_index) ON DELETE CASCADE,
        CHECK (status = 'PENDING' OR status = 'SKIPPED' OR upgrade_id IS NOT NULL OR finished_at IS NOT NULL)
      );
      CREATE UNIQUE INDEX campaign_clusters_one_running_campaign ON campaign_clusters (cluster_id) WHERE campaign_active;
      CREATE INDEX campaign_clusters_wave ON campaign_clusters (campaign_id, wave_index, position);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_clusters; DROP TABLE campaign_waves; DROP TABLE upgrade_campaigns;`);
  }
}
