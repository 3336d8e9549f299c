/**
 * Campaign overhead: a campaign over 1,000 simulated clusters (registry rows linked to a Supervisor,
 * rollouts that finish at once) driven by the worker's own CampaignAdvancer. Measured:
 * - worker CPU (user + system) spent in the campaign loop per cluster, over the whole campaign;
 * - per wave, wall time from the step that begins the wave to every upgrade of the wave started
 *   (the upgrade row, its outbox job, its audit event and the campaign cluster, committed);
 * - planning (candidates query + planner) for the 1,000 clusters, as createUpgradeCampaign does.
 * Rollouts are simulated by finishing every QUEUED upgrade between loop steps, so what is measured is
 * the campaign machinery, not kube-sim or the upgrade runner. RUNS fresh campaigns; median and spread.
 */
import { Logger } from '@nestjs/common';
import { bootstrapAdmin } from '@flotilla/access';
import { AppConfig } from '@flotilla/config';
import { ScanStarter } from '@flotilla/compliance';
import {
  AuditRepository,
  WebhookRepository,
  CampaignRepository,
  ClusterRepository,
  JobRecordRepository,
  ManagementCatalogRepository,
  OutboxRepository,
  ScanRepository,
  UpgradeRepository,
  createDataSource,
  migrate,
  versionSortKey,
} from '@flotilla/persistence';
import { UpgradeStarter } from '@flotilla/queue';
import { CampaignEvents, FleetEvents } from '@flotilla/notifications';
import { planCampaign } from '@flotilla/upgrade';
import { CampaignAdvancer } from '../apps/worker/src/campaigns/campaign-advancer';
import { benchDatabase, median, releaseDatabase, round, runBenchmark, spreadOf } from './bench-support';

const CLUSTERS = Number(process.env.BENCH_CAMPAIGN_CLUSTERS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FROM = 'v1.30.4+vmware.1';
const TARGET = 'v1.30.8+vmware.1';

async function main() {
  Logger.overrideLogger(false); // the transition log lines would mix with the JSON on stdout
  const dbInfo = await benchDatabase();
  const db = createDataSource(dbInfo.url, { poolSize: 4, applicationName: 'flotilla-bench-campaign' });
  try {
    await migrate(dbInfo.url);
    await db.initialize();
    const { organizationId } = await bootstrapAdmin({ databaseUrl: dbInfo.url, organizationName: 'bench' });
    const [mgmt] = await db.query(
      `INSERT INTO clusters (organization_id, name, provider, api_server_url, status, kubernetes_version, version_key, node_count, ready_node_count, labels)
       VALUES ($1, 'supervisor-01', 'VSPHERE', 'https://supervisor-01.invalid', 'CONNECTED', $2, $3, 3, 3, '{}') RETURNING id`,
      [organizationId, FROM, versionSortKey(FROM)],
    );
    await new ManagementCatalogRepository(db).save(organizationId, mgmt.id, ['v1.30.4+vmware.1', TARGET, 'v1.31.4+vmware.1'], []);
    const names = Array.from({ length: CLUSTERS }, (_, i) => `tkg-${String(i + 1).padStart(4, '0')}`);
    const ids: string[] = (
      await db.query(
        `INSERT INTO clusters (organization_id, name, provider, api_server_url, status, kubernetes_version, version_key, node_count, ready_node_count, labels,
                               management_cluster_id, management_namespace, management_name)
         SELECT $1, n, 'VSPHERE', 'https://' || n || '.invalid', 'CONNECTED', $3, $4, 3, 3, '{}', $5, 'tkg', n FROM unnest($2::text[]) AS t(n) RETURNING id`,
        [organizationId, names, FROM, versionSortKey(FROM), mgmt.id],
      )
    ).map((r: { id: string }) => r.id);
    await db.query('ANALYZE');

    const campaigns = new CampaignRepository(db);
    const audit = new AuditRepository(db);
    const events = new FleetEvents(new WebhookRepository(db), new OutboxRepository(db));
    const config = { campaign: { tickMs: 0, soakMinuteSeconds: 1 } } as unknown as AppConfig;
    const advancer = new CampaignAdvancer(
      db,
      campaigns,
      new ClusterRepository(db),
      new ManagementCatalogRepository(db),
      new UpgradeStarter(new UpgradeRepository(db), new OutboxRepository(db), new JobRecordRepository(db)),
      new ScanStarter(new ScanRepository(db), new OutboxRepository(db), new JobRecordRepository(db), events),
      audit,
      new CampaignEvents(audit, events),
      config,
    );

    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      // Every cluster back at FROM, no upgrade active: a fresh fleet for each run.
      await db.query(`UPDATE clusters SET kubernetes_version = $2, version_key = $3 WHERE id = ANY($1::uuid[])`, [ids, FROM, versionSortKey(FROM)]);
      const planStart = process.hrtime.bigint();
      const candidates = await campaigns.candidates(organizationId, { clusterIds: ids }, '1.30');
      const plan = planCampaign({ targetVersion: TARGET, clusters: candidates, waves: [{ name: 'canary', clusterCount: 1, soakMinutes: 0 }, { name: '10 percent', clusterPercent: 10, soakMinutes: 0 }, { name: 'rest', soakMinutes: 0 }] });
      const planMs = Number(process.hrtime.bigint() - planStart) / 1e6;
      const c = await db.transaction((tx) =>
        campaigns.create(tx, organizationId, {
          name: `bench-${run}`,
          targetVersion: TARGET,
          maxConcurrent: null,
          maxFailedClusters: 0,
          maxFailedPercent: null,
          haltOnUnreachable: true,
          haltOnComplianceRegression: false,
          window: null,
          createdBy: 'bench',
          createdByTokenId: null,
          waves: plan.waves,
        }),
      );
      let cpuMicros = 0;
      let steps = 0;
      const waveStart = new Map<number, number>();
      const waveAllStarted = new Map<number, number>();
      const t0 = Date.now();
      for (;;) {
        const before = process.cpuUsage();
        const stepStart = performance.now();
        await advancer.advanceOne();
        const stepEnd = performance.now();
        const used = process.cpuUsage(before);
        cpuMicros += used.user + used.system;
        steps++;
        // Not measured: which waves began, and whether all their upgrades are started.
        const waves: Array<{ index: number; started: boolean; pending: number }> = await db.query(
          `SELECT w.wave_index AS index, w.started_at IS NOT NULL AS started, count(cc.*) FILTER (WHERE cc.status = 'PENDING')::int AS pending
             FROM campaign_waves w LEFT JOIN campaign_clusters cc ON cc.campaign_id = w.campaign_id AND cc.wave_index = w.wave_index
            WHERE w.campaign_id = $1 GROUP BY w.wave_index, w.started_at ORDER BY w.wave_index`,
          [c.id],
        );
        for (const w of waves) {
          if (w.started && !waveStart.has(w.index)) waveStart.set(w.index, stepStart);
          if (w.started && w.pending === 0 && !waveAllStarted.has(w.index)) waveAllStarted.set(w.index, stepEnd);
        }
        // The simulated rollouts: every started upgrade succeeds at once (what the follower would record).
        await db.query(
          `WITH done AS (UPDATE upgrades SET status = 'SUCCEEDED', phase = 'DONE', started_at = now(), finished_at = now(), updated_at = now()
                          WHERE status IN ('QUEUED', 'RUNNING') RETURNING cluster_id, to_version)
           UPDATE clusters k SET kubernetes_version = done.to_version FROM done WHERE k.id = done.cluster_id`,
        );
        await db.query(`UPDATE upgrade_campaigns SET next_tick_at = now() WHERE id = $1 AND next_tick_at IS NOT NULL`, [c.id]);
        const [{ status, next }] = await db.query(`SELECT status, next_tick_at AS next FROM upgrade_campaigns WHERE id = $1`, [c.id]);
        if (next === null) {
          if (status !== 'SUCCEEDED') throw new Error(`campaign ended ${status}`);
          break;
        }
        if (Date.now() - t0 > 600_000) throw new Error('campaign did not finish within 10 minutes');
      }
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM upgrades u JOIN campaign_clusters cc ON cc.upgrade_id = u.id WHERE cc.campaign_id = $1`, [c.id]);
      if (n !== CLUSTERS) throw new Error(`${n} upgrades for ${CLUSTERS} clusters`);
      runs.push({
        cpuMsPerCluster: round(cpuMicros / 1000 / CLUSTERS, 3),
        cpuMsTotal: round(cpuMicros / 1000),
        loopSteps: steps,
        planMs: round(planMs),
        waveStartToAllStartedMs: plan.waves.map((w, i) => ({ wave: w.name, clusters: w.clusterIds.length, ms: round((waveAllStarted.get(i) ?? NaN) - (waveStart.get(i) ?? NaN)) })),
        wallMs: Date.now() - t0,
      });
    }
    const rest = runs.map((r) => r.waveStartToAllStartedMs[r.waveStartToAllStartedMs.length - 1].ms);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'campaign',
          clusters: CLUSTERS,
          runs: RUNS,
          waves: '1 canary, 10 %, rest; soak 0; maxConcurrent unbounded; rollouts finish between loop steps',
          results: runs,
          median: {
            cpuMsPerCluster: median(runs.map((r) => r.cpuMsPerCluster)),
            restWaveStartToAllStartedMs: median(rest),
            planMs: median(runs.map((r) => r.planMs)),
          },
          spread: {
            cpuMsPerCluster: spreadOf(runs.map((r) => r.cpuMsPerCluster)),
            restWaveStartToAllStartedMs: spreadOf(rest),
            planMs: spreadOf(runs.map((r) => r.planMs)),
          },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    if (db.isInitialized) await db.destroy();
    await releaseDatabase(dbInfo);
  }
}

runBenchmark('campaign', main);
