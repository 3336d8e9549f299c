/**
 * Sync throughput (issue 3): N kube-sim clusters (own process) registered in a fresh database,
 * then one worker process syncs them all once. Reports clusters synced per second, and the RSS
 * of the worker and of kube-sim. Options: BENCH_SYNC_CLUSTERS (1000), BENCH_RUNS (3).
 */
import { Client } from 'pg';
import { bootstrapAdmin } from '@flotilla/access';
import { migrate } from '@flotilla/persistence';
import { BENCH_ENCRYPTION_KEY, benchDatabase, median, registerSimClusters, releaseDatabase, round, rssMiB, runBenchmark, spreadOf, startNode, stopChild } from './bench-support';

const CLUSTERS = Number(process.env.BENCH_SYNC_CLUSTERS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface SimInfo {
  url: string;
  caPem: string;
  clusters: Array<{ name: string; url: string; token: string }>;
}

async function oneRun(url: string, env: NodeJS.ProcessEnv): Promise<{ seconds: number; clustersPerSecond: number; connected: number; workerRssMiB: number }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`UPDATE clusters SET status = 'PENDING', last_seen_at = NULL, consecutive_failures = 0, next_sync_at = 'infinity'`);
  const worker = await startNode('apps/worker/src/main.js', [], env, /worker started/);
  try {
    const t0 = Date.now();
    await c.query(`UPDATE clusters SET next_sync_at = now()`);
    let peakRss = 0;
    for (;;) {
      const { rows } = await c.query(`SELECT count(*) FILTER (WHERE last_seen_at IS NOT NULL OR status = 'UNREACHABLE')::int AS done, count(*) FILTER (WHERE status IN ('CONNECTED','DEGRADED'))::int AS ok FROM clusters`);
      peakRss = Math.max(peakRss, rssMiB(worker.child.pid!));
      if (rows[0].done >= CLUSTERS) {
        const seconds = (Date.now() - t0) / 1000;
        return { seconds: round(seconds, 2), clustersPerSecond: round(CLUSTERS / seconds), connected: rows[0].ok, workerRssMiB: peakRss };
      }
      if (Date.now() - t0 > 600_000) throw new Error('sync did not finish in 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await stopChild(worker.child);
    await c.end();
  }
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
    for (let i = 0; i < RUNS; i++) runs.push(await oneRun(db.url, env));
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'cluster-sync',
          clusters: CLUSTERS,
          concurrency: Number(process.env.FLOTILLA_QUEUE_CONCURRENCY ?? 32),
          runs,
          median: { clustersPerSecond: median(runs.map((r) => r.clustersPerSecond)), seconds: median(runs.map((r) => r.seconds)) },
          spread: { clustersPerSecond: spreadOf(runs.map((r) => r.clustersPerSecond)) },
          kubeSimRssMiB: rssMiB(sim.child.pid!),
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
