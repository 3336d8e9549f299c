/**
 * Compliance benchmark (issue 4): a full compliance scan (all six policy types, AUDIT) of N kube-sim
 * clusters end to end — runComplianceScan through the API, outbox relay, BullMQ fan-out, the worker
 * (list, evaluate, persist), until the scan is SUCCEEDED — with kube-sim, API, worker, PostgreSQL
 * and Redis all on this machine. Then the same clusters' raw snapshot fetch alone (the same list
 * calls through the same ClusterClient, one list at a time per cluster as the worker lists a near
 * cluster, bodies read and digested as the scan does, nothing parsed, evaluated or stored; a fresh
 * client per cluster, so full TLS handshakes), for comparison. Prints JSON.
 *
 * The first scan evaluates every policy on every cluster (nothing is known yet); later scans of
 * the unchanged simulated fleet carry verdicts over and rewrite no cached list, as a fleet where
 * little changed between scans would. Both are reported; `median` is over all runs.
 *
 * Options: BENCH_CLUSTERS (1000; 10000 is the issue's target), BENCH_RUNS scans per run (3),
 * BENCH_CONCURRENCY worker concurrency (FLOTILLA_QUEUE_CONCURRENCY, 32), BENCH_TIMEOUT_S per scan (900).
 * `node dist/bench/compliance.bench.js --10k` is BENCH_CLUSTERS=10000 BENCH_RUNS=2.
 */
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { bootstrapAdmin } from '@flotilla/access';
import { ClusterClient } from '@flotilla/cluster-access';
import { migrate } from '@flotilla/persistence';
import { PolicyDefinition } from '@flotilla/policy';
import { kindsToList } from '../apps/worker/src/compliance/scan-snapshot';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/runtime-flags';
import { BENCH_ENCRYPTION_KEY, benchDatabase, cpuSeconds, cpuSecondsByName, median, postJson, registerSimClusters, releaseDatabase, round, rssMiB, runBenchmark, spreadOf, startNode, stopChild, withNodeFlags } from './bench-support';

const TEN_K = process.argv.includes('--10k');
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? (TEN_K ? 10_000 : 1000));
const RUNS = Number(process.env.BENCH_RUNS ?? (TEN_K ? 2 : 3));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 900);
const KEY = BENCH_ENCRYPTION_KEY.toString('base64');

const POLICIES = [
  { name: 'sre-view', type: 'ACCESS', spec: { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }] }] } },
  { name: 'default-deny', type: 'NETWORK', spec: { defaultDeny: 'ingress' } },
  { name: 'quota', type: 'QUOTA', spec: { hard: { 'requests.cpu': '16', 'limits.memory': '64Gi' } } },
  { name: 'registries', type: 'IMAGE_REGISTRY', spec: { allowedRegistries: ['registry.example.com', 'ghcr.io/acme/', 'registry.k8s.io'] } },
  { name: 'pss-baseline', type: 'SECURITY', spec: { level: 'baseline' } },
  { name: 'owners', type: 'LABELS', spec: { kinds: ['Namespace', 'Deployment'], required: ['owner'] } },
];

async function getJson<T>(url: string, ca: string | undefined, path: string): Promise<T> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getText(url: string, path: string): Promise<string> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end();
  });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}


async function redisUsedMiB(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return round(Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN) / 1048576, 2);
}

async function main() {
  const db = await benchDatabase();
  const prefix = `bench-compliance-${Date.now()}`;
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: '0',
    FLOTILLA_AGENT_PORT: '0',
    LOG_LEVEL: 'error',
    FLOTILLA_RATE_LIMIT_PER_MINUTE: '0',
    FLOTILLA_QUEUE_PREFIX: prefix,
    FLOTILLA_QUEUE_CONCURRENCY: String(CONCURRENCY),
    FLOTILLA_ENCRYPTION_KEY: KEY,
    FLOTILLA_SYNC_INTERVAL_SECONDS: '86400',
  };
  const children: Array<Awaited<ReturnType<typeof startNode>>> = [];
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    await migrate(db.url);
    const { token, organizationId } = await bootstrapAdmin({ databaseUrl: db.url, organizationName: 'bench' });
    const sim = await startNode('apps/kube-sim/src/main.js', ['--clusters', String(CLUSTERS), '--port', '0', '--seed', '7', ...(process.env.KUBE_SIM_PREWARM === '0' ? [] : ['--prewarm'])], env, /listening on (\S+)/, 300_000);
    children.push(sim);
    const simUrl = sim.match[1];
    const caPem = await getText(simUrl, '/_sim/ca.crt');
    const listed = await getJson<Array<{ name: string; url: string }>>(simUrl, caPem, '/_sim/clusters');
    const clusters = await mapLimit(listed, 32, async (c) => ({
      name: c.name,
      url: c.url,
      token: (await getJson<{ token: string }>(simUrl, caPem, `/_sim/clusters/${encodeURIComponent(c.name)}/admin-token`)).token,
    }));
    await registerSimClusters(db.url, organizationId, clusters, caPem, 'CONNECTED');

    const api = await startNode('apps/api/src/main.js', [], env, /listening on (\S+)/);
    children.push(api);
    const graphqlUrl = api.match[1];
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const res = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const policyIds: string[] = [];
    for (const p of POLICIES) {
      const r = await gql(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input: { ...p, mode: 'AUDIT', scope: { kind: 'ORGANIZATION' } } });
      policyIds.push(r.createPolicy.id);
    }
    void postJson;
    // BENCH_WORKER_SCRIPT: a wrapper under dist/ (e.g. one that profiles the worker).
    // The worker runs with the flags it runs with in production; BENCH_WORKER_NODE_OPTIONS replaces them (to try others).
    const workerFlags = process.env.BENCH_WORKER_NODE_OPTIONS ?? WORKER_NODE_FLAGS.join(' ');
    const worker = await startNode(process.env.BENCH_WORKER_SCRIPT ?? 'apps/worker/src/main.js', [], withNodeFlags(env, workerFlags), /worker started/);
    children.push(worker);

    const runs: Array<Record<string, number>> = [];
    let lastSummary: unknown = null;
    const cpuSecondsDuringScan: Array<Record<string, number>> = [];
    for (let run = 0; run < RUNS; run++) {
      const redisBefore = await redisUsedMiB(redis);
      let redisPeak = redisBefore;
      let workerRssPeak = rssMiB(worker.child.pid!);
      const cpu = () => ({
        kubeSim: cpuSeconds(sim.child.pid!),
        worker: cpuSeconds(worker.child.pid!),
        api: cpuSeconds(api.child.pid!),
        postgres: cpuSecondsByName('postgres'),
        redis: cpuSecondsByName('redis-server'),
      });
      const cpuBefore = cpu();
      const load = loadavg()[0];
      const t0 = performance.now();
      const started = await gql(`mutation { runComplianceScan(input: {}) { id status clusterCount } }`, {});
      const mutationMs = performance.now() - t0;
      const id = started.runComplianceScan.id as string;
      let scan: any;
      for (;;) {
        scan = (await gql(`query($id: ID!) { scan(id: $id) { status clusterCount completedCount failedCount summary { compliant nonCompliant errored violations } } }`, { id })).scan;
        redisPeak = Math.max(redisPeak, await redisUsedMiB(redis));
        workerRssPeak = Math.max(workerRssPeak, rssMiB(worker.child.pid!));
        if (scan.status === 'SUCCEEDED') break;
        if ((performance.now() - t0) / 1000 > TIMEOUT_S) throw new Error(`scan not finished after ${TIMEOUT_S} s: ${JSON.stringify(scan)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpuAfter = cpu();
      cpuSecondsDuringScan.push(Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, round(v - cpuBefore[k as keyof typeof cpuBefore], 1)])));
      lastSummary = { ...scan.summary, completedCount: scan.completedCount, failedCount: scan.failedCount };
      const cpuDelta = cpuSecondsDuringScan[cpuSecondsDuringScan.length - 1];
      runs.push({
        seconds: round(seconds, 2),
        clustersPerSecond: round(scan.clusterCount / seconds, 1),
        runComplianceScanMs: round(mutationMs, 1),
        workerRssPeakMiB: workerRssPeak,
        redisUsedMemoryDeltaMiB: round(redisPeak - redisBefore, 2),
        failed: scan.failedCount,
        loadAverageAtStart: round(load, 2),
        workerCpuMsPerCluster: round((cpuDelta.worker * 1000) / scan.clusterCount, 2),
        kubeSimCpuMsPerCluster: round((cpuDelta.kubeSim * 1000) / scan.clusterCount, 2),
        postgresCpuMsPerCluster: round((cpuDelta.postgres * 1000) / scan.clusterCount, 2),
        redisCpuMsPerCluster: round((cpuDelta.redis * 1000) / scan.clusterCount, 2),
      });
      process.stderr.write(`compliance bench: run ${run + 1}/${RUNS}: ${JSON.stringify(runs[runs.length - 1])}\n`);
    }

    // The raw snapshot fetch alone: the kinds the scan lists, same clusters, same client and concurrency.
    const defs: PolicyDefinition[] = POLICIES.map((p, i) => ({ id: policyIds[i], name: p.name, type: p.type as PolicyDefinition['type'], mode: 'AUDIT', spec: p.spec }));
    const kinds = kindsToList(defs);
    const fetchCpuBefore = cpuSeconds(process.pid);
    let requests = 0;
    const f0 = performance.now();
    await mapLimit(clusters, CONCURRENCY, async (c) => {
      const client = ClusterClient.direct({ apiServerUrl: c.url, token: c.token, caPem }, { timeoutMs: 30_000 });
      try {
        // As the worker lists a near cluster: one list in flight, so one connection per cluster.
        for (const k of kinds) {
          const listed = await client.listed(k);
          requests++;
          void listed.digest;
        }
      } finally {
        client.close();
      }
    });
    const fetchSeconds = (performance.now() - f0) / 1000;
    const fetchCpuMsPerCluster = round(((cpuSeconds(process.pid) - fetchCpuBefore) * 1000) / clusters.length, 2);
    const fetchRate = clusters.length / fetchSeconds;

    const sizes = await (async () => {
      const c = new Client({ connectionString: db.url });
      await c.connect();
      try {
        return (
          await c.query(
            `SELECT (SELECT count(*) FROM policy_results)::int AS policy_results, pg_size_pretty(pg_total_relation_size('policy_results')) AS policy_results_size,
                    pg_size_pretty(pg_total_relation_size('cluster_snapshots') + pg_total_relation_size('cluster_snapshot_kinds')) AS snapshot_cache_size`,
          )
        ).rows[0];
      } finally {
        await c.end();
      }
    })();

    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'compliance',
          clusters: CLUSTERS,
          policies: POLICIES.map((p) => p.type),
          snapshotKinds: kinds,
          workerConcurrency: CONCURRENCY,
          runs: RUNS,
          machine: { cpus: (await import('node:os')).cpus().length, note: 'kube-sim, API, worker, PostgreSQL and Redis on the same machine' },
          scan: {
            runs,
            median: {
              seconds: median(runs.map((r) => r.seconds)),
              clustersPerSecond: median(runs.map((r) => r.clustersPerSecond)),
              workerRssPeakMiB: median(runs.map((r) => r.workerRssPeakMiB)),
              redisUsedMemoryDeltaMiB: median(runs.map((r) => r.redisUsedMemoryDeltaMiB)),
            },
            spread: {
              seconds: spreadOf(runs.map((r) => r.seconds)),
              clustersPerSecond: spreadOf(runs.map((r) => r.clustersPerSecond)),
            },
            lastSummary,
            cpuSecondsDuringScan,
          },
          rawSnapshotFetch: {
            seconds: round(fetchSeconds, 2),
            clustersPerSecond: round(fetchRate, 1),
            listRequestsPerSecond: round(requests / fetchSeconds, 1),
            fetchingProcessCpuMsPerCluster: fetchCpuMsPerCluster,
          },
          // Scan throughput over the raw fetch rate of this same run, per scan.
          scanToFetchRatio: runs.map((r) => round(r.clustersPerSecond / fetchRate, 2)),
          storage: sizes,
          // Issue 15's limits, beside the figures above.
          targets: { workerCpuMsPerCluster: 5, scanToFetchRatio: 0.9, tenThousandClustersSeconds: 60, tenThousandClustersFloorSeconds: 120, workerRssMiB: 1024, redisGrowthMiB: 250 },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    for (const c of children.reverse()) await stopChild(c.child);
    redis.disconnect();
    await releaseDatabase(db);
  }
}

runBenchmark('compliance', main);
