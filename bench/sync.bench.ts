/**
 * Sync throughput (issue 3): N kube-sim clusters (own process) registered in a fresh database,
 * then one worker process syncs them all once. Reports clusters synced per second, and the RSS
 * of the worker and of kube-sim, and CPU milliseconds per synced cluster of the worker and of
 * kube-sim, PostgreSQL and Redis (less sensitive to a loaded machine than throughput). Options: BENCH_SYNC_CLUSTERS
 * (1000), BENCH_RUNS (3). `median`/`spread` are the warm (steady-state) passes; `cold` the first
 * pass of each fresh worker.
 */
import { Client } from 'pg';
import { bootstrapAdmin } from '@flotilla/access';
import { migrate } from '@flotilla/persistence';
import { BENCH_ENCRYPTION_KEY, benchDatabase, cpuSeconds, cpuSecondsByName, median, registerSimClusters, releaseDatabase, round, rssMiB, runBenchmark, spreadOf, startNode, stopChild, withNodeFlags } from './bench-support';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/runtime-flags';

const CLUSTERS = Number(process.env.BENCH_SYNC_CLUSTERS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface SimInfo {
  url: string;
  caPem: string;
  clusters: Array<{ name: string; url: string; token: string }>;
}

interface RunResult {
  seconds: number;
  clustersPerSecond: number;
  connected: number;
  workerRssMiB: number;
  /** CPU ms per synced cluster during the sync (the worker's start-up excluded). */
  workerCpuMsPerCluster: number;
  kubeSimCpuMsPerCluster: number;
  /** Every PostgreSQL process on the machine (the bench's own few queries included). */
  postgresCpuMsPerCluster: number;
  /** Every redis-server on the machine. */
  redisCpuMsPerCluster: number;
}

/** One pass: every cluster synced once by the running worker, timed from when their syncs fall due. */
async function onePass(c: Client, workerPid: number, simPid: number): Promise<RunResult> {
  await c.query(`UPDATE clusters SET status = 'PENDING', last_seen_at = NULL, consecutive_failures = 0, next_sync_at = 'infinity'`);
  const cpu0 = { worker: cpuSeconds(workerPid), sim: cpuSeconds(simPid), postgres: cpuSecondsByName('postgres'), redis: cpuSecondsByName('redis-server') };
  const t0 = Date.now();
  await c.query(`UPDATE clusters SET next_sync_at = now()`);
  let peakRss = 0;
  for (;;) {
    const { rows } = await c.query(`SELECT count(*) FILTER (WHERE last_seen_at IS NOT NULL OR status = 'UNREACHABLE')::int AS done, count(*) FILTER (WHERE status IN ('CONNECTED','DEGRADED'))::int AS ok FROM clusters`);
    peakRss = Math.max(peakRss, rssMiB(workerPid));
    if (rows[0].done >= CLUSTERS) {
      const seconds = (Date.now() - t0) / 1000;
      const perCluster = (s0: number, s1: number) => round(((s1 - s0) * 1000) / CLUSTERS, 2);
      return {
        seconds: round(seconds, 2),
        clustersPerSecond: round(CLUSTERS / seconds),
        connected: rows[0].ok,
        workerRssMiB: peakRss,
        workerCpuMsPerCluster: perCluster(cpu0.worker, cpuSeconds(workerPid)),
        kubeSimCpuMsPerCluster: perCluster(cpu0.sim, cpuSeconds(simPid)),
        postgresCpuMsPerCluster: perCluster(cpu0.postgres, cpuSecondsByName('postgres')),
        redisCpuMsPerCluster: perCluster(cpu0.redis, cpuSecondsByName('redis-server')),
      };
    }
    if (Date.now() - t0 > 600_000) throw new Error('sync did not finish in 10 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A fresh worker process, then two passes: `cold` (its first sync of each cluster: new clients,
 * TLS handshakes, empty caches) and `warm` (the next sync of each, as every sync after the first
 * is in steady state at the default 60 s interval).
 */
async function oneRun(url: string, env: NodeJS.ProcessEnv, simPid: number): Promise<{ cold: RunResult; warm: RunResult }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`UPDATE clusters SET status = 'PENDING', last_seen_at = NULL, consecutive_failures = 0, next_sync_at = 'infinity'`);
  const worker = await startNode('apps/worker/src/main.js', [], withNodeFlags(env, WORKER_NODE_FLAGS), /worker started/);
  try {
    const cold = await onePass(c, worker.child.pid!, simPid);
    const warm = await onePass(c, worker.child.pid!, simPid);
    return { cold, warm };
  } finally {
    await stopChild(worker.child);
    await c.end();
  }
}

/** Throughput and CPU per cluster of some passes, reduced by median or spread. */
function summary<T>(passes: RunResult[], reduce: (values: number[]) => T) {
  return {
    clustersPerSecond: reduce(passes.map((r) => r.clustersPerSecond)),
    seconds: reduce(passes.map((r) => r.seconds)),
    workerCpuMsPerCluster: reduce(passes.map((r) => r.workerCpuMsPerCluster)),
    kubeSimCpuMsPerCluster: reduce(passes.map((r) => r.kubeSimCpuMsPerCluster)),
    postgresCpuMsPerCluster: reduce(passes.map((r) => r.postgresCpuMsPerCluster)),
    redisCpuMsPerCluster: reduce(passes.map((r) => r.redisCpuMsPerCluster)),
  };
}

async function main() {
  const db = await benchDatabase();
  const sim = await startNode('bench/kube-sim-process.js', [String(CLUSTERS)], process.env, /^(\{.*\})$/m, 120_000);
  try {
    const info = JSON.parse(sim.match[1]) as SimInfo;
    await migrate(db.url);
    const { organizationId } = await bootstrapAdmin({ databaseUrl: db.url, organizationName: 'bench' });
    await registerSimClusters(db.url, organizationId, info.clusters, info.caPem, 'PENDING');
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'error',
      FLOTILLA_QUEUE_PREFIX: `bench-sync-${Date.now()}`,
      FLOTILLA_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY.toString('base64'),
      FLOTILLA_SYNC_INTERVAL_SECONDS: '3600',
    };
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await oneRun(db.url, env, sim.child.pid!));
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'cluster-sync',
          clusters: CLUSTERS,
          concurrency: Number(process.env.FLOTILLA_QUEUE_CONCURRENCY ?? 32),
          runs,
          median: summary(runs.map((r) => r.warm), median),
          spread: summary(runs.map((r) => r.warm), spreadOf),
          cold: { median: summary(runs.map((r) => r.cold), median), spread: summary(runs.map((r) => r.cold), spreadOf) },
          kubeSimRssMiB: rssMiB(sim.child.pid!),
          // 10,000 clusters at the default 60 s interval, per worker process (issue 15).
          targets: { clustersPerSecond: 170 },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await stopChild(sim.child);
    await releaseDatabase(db);
  }
}

runBenchmark('sync', main);
