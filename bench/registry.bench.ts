/**
 * Registry benchmark (issue 3): 10,000 clusters in one organization; the dashboard's FleetOverview
 * and ClusterList (first 50, filtered) under 50 concurrent clients against the API running as its
 * own process. Prints JSON, with the CPU each request cost the API and PostgreSQL. Target (issue 15):
 * ClusterList ≥ 800 req/s with p99 ≤ 100 ms.
 * Options: BENCH_REGISTRY_CLUSTERS (10000), BENCH_SECONDS per run (10), BENCH_RUNS (3),
 * BENCH_REGISTRY_SCENARIOS (comma-separated: FleetOverview,ClusterList; default both).
 */
import { bootstrapAdmin } from '@flotilla/access';
import { migrate } from '@flotilla/persistence';
import { versionSortKey } from '@flotilla/persistence';
import { benchApiEnv, benchDatabase, closedLoopLoad, round, cpuSeconds, cpuSecondsByName, median, postJson, releaseDatabase, rssMiB, runBenchmark, spreadOf, startNode, stopChild, withAdmin } from './bench-support';

const CLUSTERS = Number(process.env.BENCH_REGISTRY_CLUSTERS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = 50;

const FLEET_OVERVIEW = `query FleetOverview { viewer { role organization { id name } } fleetSummary { clusterCount nodeCount byStatus { status count } byProvider { provider count } byVersion { version count } } }`;
const CLUSTER_LIST = `query ClusterList($filter: ClusterFilter, $first: Int, $after: String, $orderBy: ClusterOrder) { clusters(filter: $filter, first: $first, after: $after, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name provider region kubernetesVersion status nodeCount lastSeenAt labels { key value } group { id name } } } } }`;

async function seed(url: string, organizationId: string): Promise<void> {
  await withAdmin(url.replace(/\/[^/]+$/, '/postgres'), async () => undefined);
  const { Client } = await import('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const groups: string[] = [];
    for (const g of ['payments', 'web', 'data', 'platform', 'edge']) {
      const r = await c.query(`INSERT INTO cluster_groups (organization_id, name) VALUES ($1, $2) RETURNING id`, [organizationId, g]);
      groups.push(r.rows[0].id);
    }
    const providers = ['VSPHERE', 'VSPHERE', 'EKS', 'GKE', 'AKS', 'GENERIC'];
    const statuses = ['CONNECTED', 'CONNECTED', 'CONNECTED', 'CONNECTED', 'DEGRADED', 'UNREACHABLE', 'PENDING'];
    const versions = ['v1.29.8', 'v1.30.4', 'v1.30.5', 'v1.31.2', 'v1.32.1'];
    const envs = ['prod', 'staging', 'dev'];
    const rows = Array.from({ length: CLUSTERS }, (_, i) => {
      const v = versions[i % versions.length];
      return [
        `cluster-${String(i).padStart(5, '0')}`,
        providers[i % providers.length],
        ['us-east-1', 'eu-west-1', 'ap-south-1'][i % 3],
        `https://${`cluster-${i}`}.bench.invalid:6443`,
        statuses[i % statuses.length],
        v,
        versionSortKey(v),
        3 + (i % 10),
        JSON.stringify({ env: envs[i % 3], team: `team-${i % 20}` }),
        groups[i % groups.length],
      ];
    });
    for (let i = 0; i < rows.length; i += 2000) {
      const chunk = rows.slice(i, i + 2000);
      const col = (k: number) => chunk.map((r) => r[k]);
      await c.query(
        `INSERT INTO clusters (organization_id, name, provider, region, api_server_url, status, kubernetes_version, version_key, node_count, ready_node_count, labels, group_id, last_seen_at)
         SELECT $1, n, p, r, u, s, v, vk, nc, nc, l::jsonb, g::uuid, now() - random() * interval '1 hour'
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[]) AS t(n, p, r, u, s, v, vk, nc, l, g)`,
        [organizationId, col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7), col(8), col(9)],
      );
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

async function main() {
  const db = await benchDatabase();
  const env = benchApiEnv(db.url);
  let api: Awaited<ReturnType<typeof startNode>> | null = null;
  try {
    await migrate(db.url);
    const { token, organizationId } = await bootstrapAdmin({ databaseUrl: db.url, organizationName: 'bench' });
    const seedStart = Date.now();
    await seed(db.url, organizationId);
    const seedMs = Date.now() - seedStart;
    api = await startNode('apps/api/src/main.js', [], env, /listening on (\S+)/);
    const graphqlUrl = api.match[1];
    // node:http with one keep-alive agent: the load generator shares the 2 cores with the API and
    // PostgreSQL, and fetch costs several times more CPU per request.
    const post = (query: string, variables: Record<string, unknown>) => postJson(graphqlUrl, token, { query, variables });
    const filters = [
      { providers: ['VSPHERE'] },
      { statuses: ['CONNECTED'], labels: [{ key: 'env', value: 'prod' }] },
      { search: 'cluster-01' },
      { providers: ['EKS', 'GKE'], statuses: ['DEGRADED', 'UNREACHABLE'] },
    ];
    // Warm-up: JIT, plan caches, connection pools.
    await closedLoopLoad(CONCURRENCY, 2000, () => post(CLUSTER_LIST, { first: 50, filter: filters[0] }));
    const scenarios = {
      FleetOverview: () => post(FLEET_OVERVIEW, {}),
      ClusterList: (i: number) => post(CLUSTER_LIST, { first: 50, filter: filters[i % filters.length], orderBy: { field: 'NAME', direction: 'ASC' } }),
    };
    const wanted = (process.env.BENCH_REGISTRY_SCENARIOS ?? Object.keys(scenarios).join(',')).split(',');
    const results: Record<string, unknown> = {};
    const apiPid = api.child.pid!;
    for (const [name, send] of Object.entries(scenarios).filter(([n]) => wanted.includes(n))) {
      const runs = [];
      for (let r = 0; r < RUNS; r++) {
        const before = { api: cpuSeconds(apiPid), postgres: cpuSecondsByName('postgres') };
        const run = await closedLoopLoad(CONCURRENCY, SECONDS * 1000, send);
        const perRequest = (s: number) => round((s * 1000) / Math.max(1, run.requests), 3);
        runs.push({
          ...run,
          cpuMsPerRequest: { api: perRequest(cpuSeconds(apiPid) - before.api), postgres: perRequest(cpuSecondsByName('postgres') - before.postgres) },
        });
      }
      results[name] = {
        runs,
        median: {
          rps: median(runs.map((x) => x.rps)),
          p50: median(runs.map((x) => x.p50)),
          p99: median(runs.map((x) => x.p99)),
          apiCpuMsPerRequest: median(runs.map((x) => x.cpuMsPerRequest.api)),
          postgresCpuMsPerRequest: median(runs.map((x) => x.cpuMsPerRequest.postgres)),
        },
        spread: {
          rps: spreadOf(runs.map((x) => x.rps)),
          p99: spreadOf(runs.map((x) => x.p99)),
        },
        errors: runs.reduce((n, x) => n + x.errors, 0),
      };
    }
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'registry',
          clusters: CLUSTERS,
          concurrency: CONCURRENCY,
          secondsPerRun: SECONDS,
          runs: RUNS,
          seedMs,
          apiRssMiB: rssMiB(api.child.pid!),
          targets: { ClusterList: { p99Ms: 100, rps: 800 } },
          results,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    if (api) await stopChild(api.child);
    await releaseDatabase(db);
  }
}

runBenchmark('registry', main);

