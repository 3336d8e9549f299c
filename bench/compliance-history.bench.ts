/**
 * Compliance history benchmark (issue 12): synthetic history of BENCH_CLUSTERS (3,000) clusters ×
 * BENCH_POLICIES (30) policies over BENCH_DAYS (730) days, each (cluster, policy) changing on
 * average every BENCH_CHANGE_DAYS (14) days (to 0 violations 80% of the time, else 1–3; 1% errors) — seeded in SQL with generate_series, in time order as
 * scans would write it — then the API's own queries (ComplianceHistoryRepository) timed:
 * DAY/WEEK trends over two years and 30 days (per-day sums), an HOUR trend over 7 days
 * (transitions), one cluster's history, and for comparison a DAY trend computed straight from the
 * transitions (the layout without per-day sums). Storage: pg_total_relation_size per table and
 * index, and the size a btree on `at` would take instead of the BRIN. BENCH_ROUNDS (3) rounds of
 * BENCH_ITERATIONS (30) timed queries each; the JSON reports each figure's median over rounds and
 * its spread [min, max]. Prints JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { ComplianceHistoryRepository, TrendBucketName, createDataSource, migrate } from '@flotilla/persistence';
import { benchDatabase, median, percentile, releaseDatabase, round, runBenchmark, spreadOf } from './bench-support';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 3000);
const POLICIES = Number(process.env.BENCH_POLICIES ?? 30);
const DAYS = Number(process.env.BENCH_DAYS ?? 730);
const CHANGE_DAYS = Number(process.env.BENCH_CHANGE_DAYS ?? 14);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const DAY_MS = 86_400_000;

async function seed(c: Client, org: string): Promise<{ seconds: number; policyRows: number; clusterRows: number }> {
  const t = performance.now();
  const changes = Math.max(1, Math.floor(DAYS / CHANGE_DAYS));
  await c.query(`CREATE TEMP TABLE bench_clusters AS SELECT gen_random_uuid() AS id, 'cluster-' || g AS name FROM generate_series(1, $1) g`, [CLUSTERS]);
  await c.query(`CREATE TEMP TABLE bench_policies AS SELECT gen_random_uuid() AS id, 'policy-' || g AS name FROM generate_series(1, $1) g`, [POLICIES]);
  // Each (cluster, policy) changes once per CHANGE_DAYS window at a random moment in it: 0 violations 80% of the time, else 1–3 (1% errors).
  await c.query(
    `INSERT INTO policy_compliance_transitions (organization_id, cluster_id, policy_id, cluster_name, policy_name, at, scan_id, status, violation_count)
     SELECT $1, cl.id, po.id, cl.name, po.name, t.at, gen_random_uuid(),
            CASE WHEN t.r < 0.01 THEN 'ERROR' WHEN t.v > 0 THEN 'NON_COMPLIANT' ELSE 'COMPLIANT' END,
            CASE WHEN t.r < 0.01 THEN 0 ELSE t.v END
       FROM bench_clusters cl CROSS JOIN bench_policies po
       CROSS JOIN LATERAL (
         SELECT now() - make_interval(days => $2) + make_interval(secs => (k * $3 + random() * $3) * 86400) AS at,
                CASE WHEN random() < 0.8 THEN 0 ELSE 1 + (random() * 2.49)::int END AS v, random() AS r
           FROM generate_series(0, $4 - 1 + 0 * length(cl.name || po.name)) k) t
      ORDER BY t.at`,
    [org, DAYS, CHANGE_DAYS, changes],
  );
  // The cluster roll-up changes whenever a policy's count does: running totals per cluster.
  await c.query(`ALTER TABLE cluster_compliance_transitions DISABLE TRIGGER cluster_compliance_transitions_delta`);
  await c.query(
    `INSERT INTO cluster_compliance_transitions (organization_id, cluster_id, cluster_name, at, scan_id, status, violation_count, previous_status, previous_violation_count)
     SELECT $1, cluster_id, cluster_name, at, scan_id, status, vc,
            lag(status) OVER w, coalesce(lag(vc) OVER w, 0)
       FROM (SELECT *, CASE WHEN status = 'ERROR' THEN 0 ELSE total END AS vc
               FROM (SELECT cluster_id, cluster_name, at, scan_id,
                            sum(d) OVER (PARTITION BY cluster_id ORDER BY at ROWS UNBOUNDED PRECEDING) AS total,
                            CASE WHEN pstatus = 'ERROR' THEN 'ERROR' WHEN sum(d) OVER (PARTITION BY cluster_id ORDER BY at ROWS UNBOUNDED PRECEDING) > 0 THEN 'NON_COMPLIANT' ELSE 'COMPLIANT' END AS status
                       FROM (SELECT cluster_id, cluster_name, at, scan_id, status AS pstatus,
                                    violation_count - coalesce(lag(violation_count) OVER (PARTITION BY cluster_id, policy_id ORDER BY at), 0) AS d
                               FROM policy_compliance_transitions) deltas) totals) s
     WINDOW w AS (PARTITION BY cluster_id ORDER BY at)
     ORDER BY at`,
    [org],
  );
  await c.query(`ALTER TABLE cluster_compliance_transitions ENABLE TRIGGER cluster_compliance_transitions_delta`);
  // What the trigger would have summed, per day.
  await c.query(
    `INSERT INTO compliance_trend_daily (organization_id, day, compliant, non_compliant, errored, violations)
     SELECT organization_id, (at AT TIME ZONE 'UTC')::date,
            sum((status = 'COMPLIANT')::int - (previous_status IS NOT DISTINCT FROM 'COMPLIANT')::int),
            sum((status = 'NON_COMPLIANT')::int - (previous_status IS NOT DISTINCT FROM 'NON_COMPLIANT')::int),
            sum((status = 'ERROR')::int - (previous_status IS NOT DISTINCT FROM 'ERROR')::int),
            sum(violation_count - previous_violation_count)
       FROM cluster_compliance_transitions GROUP BY 1, 2`,
  );
  await c.query(`VACUUM ANALYZE policy_compliance_transitions, cluster_compliance_transitions, compliance_trend_daily`);
  const counts = await c.query(
    `SELECT (SELECT count(*) FROM policy_compliance_transitions)::int AS p, (SELECT count(*) FROM cluster_compliance_transitions)::int AS c`,
  );
  return { seconds: round((performance.now() - t) / 1000), policyRows: counts.rows[0].p, clusterRows: counts.rows[0].c };
}

async function storage(c: Client) {
  const mib = (b: string | number) => round(Number(b) / 1048576);
  const tables = await c.query(
    `SELECT relname AS name, pg_total_relation_size(oid) AS total, pg_relation_size(oid) AS heap
       FROM pg_class WHERE relname IN ('policy_compliance_transitions', 'cluster_compliance_transitions', 'compliance_trend_daily')`,
  );
  const indexes = await c.query(
    `SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS size FROM pg_index
      WHERE indrelid::regclass::text IN ('policy_compliance_transitions', 'cluster_compliance_transitions', 'compliance_trend_daily')`,
  );
  // The alternative to the BRIN on time: a btree on the same column.
  await c.query(`CREATE INDEX bench_btree_at ON policy_compliance_transitions (at)`);
  const btree = await c.query(`SELECT pg_relation_size('bench_btree_at') AS size`);
  await c.query(`DROP INDEX bench_btree_at`);
  return {
    tablesMiB: Object.fromEntries(tables.rows.map((r) => [r.name, { total: mib(r.total), heap: mib(r.heap) }])),
    indexesMiB: Object.fromEntries(indexes.rows.map((r) => [r.name, mib(r.size)])),
    btreeOnAtInsteadOfBrinMiB: mib(btree.rows[0].size),
    totalMiB: mib(tables.rows.reduce((n, r) => n + Number(r.total), 0)),
  };
}

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn(i);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}

runBenchmark('compliance-history', async () => {
  const db = await benchDatabase();
  try {
    await migrate(db.url);
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const org = (await c.query(`INSERT INTO organizations (name) VALUES ('bench-history') RETURNING id`)).rows[0].id as string;
    process.stderr.write(`compliance-history: seeding ${CLUSTERS} clusters × ${POLICIES} policies × ${DAYS} days…\n`);
    const seeded = await seed(c, org);
    const clusterIds = (await c.query(`SELECT id FROM bench_clusters ORDER BY random() LIMIT 200`)).rows.map((r) => r.id as string);

    const ds = createDataSource(db.url, { poolSize: 2, applicationName: 'bench-history' });
    await ds.initialize();
    const repo = new ComplianceHistoryRepository(ds);
    const now = Date.now();
    const trend = (days: number, bucket: TrendBucketName) => () => repo.fleetTrend(org, new Date(now - days * DAY_MS), new Date(now), bucket);
    const cases: Record<string, (i: number) => Promise<unknown>> = {
      trendDay2y: trend(DAYS, 'DAY'),
      trendDay30d: trend(30, 'DAY'),
      trendWeek2y: trend(DAYS, 'WEEK'),
      trendHour7d: trend(7, 'HOUR'),
      clusterHistory2y: (i) => repo.clusterHistory(org, clusterIds[i % clusterIds.length], new Date(now - DAYS * DAY_MS), new Date(now)),
    };
    const rounds: Record<string, Array<{ p50: number; p95: number }>> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, fn] of Object.entries(cases)) {
        const ms = await timed(ITERATIONS, fn);
        (rounds[name] ??= []).push({ p50: percentile(ms, 50), p95: percentile(ms, 95) });
      }
    }
    // The layout without per-day sums: the same DAY trend over two years straight from the transitions.
    const rawDay = await timed(3, () =>
      c.query(
        `WITH d AS (SELECT (at AT TIME ZONE 'UTC')::date AS day,
                           sum((status = 'COMPLIANT')::int - (previous_status IS NOT DISTINCT FROM 'COMPLIANT')::int) AS c,
                           sum((status = 'NON_COMPLIANT')::int - (previous_status IS NOT DISTINCT FROM 'NON_COMPLIANT')::int) AS n,
                           sum(violation_count - previous_violation_count) AS v
                      FROM cluster_compliance_transitions WHERE organization_id = $1 GROUP BY 1)
         SELECT day, sum(c) OVER w, sum(n) OVER w, sum(v) OVER w FROM d WINDOW w AS (ORDER BY day)`,
        [org],
      ),
    );
    const sample = await repo.fleetTrend(org, new Date(now - 2 * DAY_MS), new Date(now), 'DAY');
    const summary = Object.fromEntries(
      Object.entries(rounds).map(([name, rs]) => {
        const p95 = rs.map((x) => x.p95);
        const p50 = rs.map((x) => x.p50);
        return [name, { p95Ms: { median: round(median(p95)), spread: spreadOf(p95).map((x) => round(x)) }, p50Ms: { median: round(median(p50)), spread: spreadOf(p50).map((x) => round(x)) } }];
      }),
    );
    const result = {
      shape: { clusters: CLUSTERS, policies: POLICIES, days: DAYS, changeEveryDays: CHANGE_DAYS, rounds: ROUNDS, iterationsPerRound: ITERATIONS },
      seeded,
      queries: summary,
      targetTrendP95Ms: 200,
      withoutDailySums: { trendDay2yMs: { median: round(median(rawDay)), spread: spreadOf(rawDay).map((x) => round(x)) } },
      storage: await storage(c),
      lastPoint: sample[sample.length - 1],
      loadavg: loadavg().map((x) => round(x, 2)),
    };
    await ds.destroy();
    await c.end();
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    await releaseDatabase(db);
  }
});
