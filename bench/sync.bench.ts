/**
 * Sync throughput (issue 3): N kube-sim clusters (own process) registered in a fresh database,
 * then one worker process syncs them all once. Reports clusters synced per second, and the RSS
 * of the worker and of kube-sim. Options: BENCH_SYNC_CLUSTERS (1000), BENCH_RUNS (3).
 */
import { Client } from 'pg';
import { CredentialCipher } from '../libs/cluster-access/src';
import { bootstrapAdmin } from '../libs/access/src';
import { migrate } from '../libs/persistence/src';
import { benchDatabase, median, round, rssMiB, startNode, stopChild } from './bench-support';

const CLUSTERS = Number(process.env.BENCH_SYNC_CLUSTERS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const KEY = Buffer.alloc(32, 9);

interface SimInfo {
  url: string;
  caPem: string;
  clusters: Array<{ name: string; url: string; token: string }>;
}

async function register(url: string, organizationId: string, sim: SimInfo): Promise<void> {
  const cipher = new CredentialCipher('k1', { k1: KEY });
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    for (let i = 0; i < sim.clusters.length; i += 1000) {
      const chunk = sim.clusters.slice(i, i + 1000);
      const ids = await c.query(
        `INSERT INTO clusters (organization_id, name, api_server_url, status, next_sync_at)
         SELECT $1, n, u, 'PENDING', 'infinity' FROM unnest($2::text[], $3::text[]) AS t(n, u) RETURNING id, name`,
        [organizationId, chunk.map((x) => x.name), chunk.map((x) => x.url)],
      );
      const byName = new Map(chunk.map((x) => [x.name, x]));
      const blobs = ids.rows.map((r: { id: string; name: string }) => ({ id: r.id, blob: cipher.encrypt({ token: byName.get(r.name)!.token, caPem: sim.caPem }) }));
      await c.query(
        `INSERT INTO cluster_credentials (cluster_id, organization_id, key_id, iv, ciphertext, auth_tag)
         SELECT id, $1, 'k1', iv, ct, tag FROM unnest($2::uuid[], $3::bytea[], $4::bytea[], $5::bytea[]) AS t(id, iv, ct, tag)`,
        [organizationId, blobs.map((b) => b.id), blobs.map((b) => b.blob.iv), blobs.map((b) => b.blob.ciphertext), blobs.map((b) => b.blob.authTag)],
      );
    }
  } finally {
    await c.end();
  }
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
    await register(db.url, organizationId, info);
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'error',
      FLOTILLA_QUEUE_PREFIX: `bench-sync-${Date.now()}`,
      FLOTILLA_ENCRYPTION_KEY: KEY.toString('base64'),
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
          spread: { clustersPerSecond: [Math.min(...runs.map((r) => r.clustersPerSecond)), Math.max(...runs.map((r) => r.clustersPerSecond))] },
          kubeSimRssMiB: rssMiB(sim.child.pid!),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await stopChild(sim.child);
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`sync bench: ${err.message}\n`);
    process.exit(1);
  },
);
