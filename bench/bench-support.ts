/** Shared pieces of the benchmarks: a throwaway database, child processes, latency statistics. */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Client } from 'pg';
import { CredentialCipher } from '@flotilla/cluster-access';
import { API_NODE_FLAGS } from '../apps/api/src/runtime-flags';

export const distRoot = join(__dirname, '..');

export async function withAdmin<T>(baseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const u = new URL(baseUrl);
  u.pathname = '/postgres';
  const c = new Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A database of the benchmark's own, dropped by `drop()`. */
export async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flotilla';
  const name = `flotilla_bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  await withAdmin(base, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(base);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => withAdmin(base, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

/** `env` with Node.js flags added to NODE_OPTIONS (a process run as production runs it: API_NODE_FLAGS, WORKER_NODE_FLAGS). */
export function withNodeFlags(env: NodeJS.ProcessEnv, flags: readonly string[] | string): NodeJS.ProcessEnv {
  return { ...env, NODE_OPTIONS: [process.env.NODE_OPTIONS, ...(typeof flags === 'string' ? [flags] : flags)].filter(Boolean).join(' ') };
}

export function startNode(script: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 60_000): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : []), join(distRoot, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} not ready after ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    });
    child.stderr!.on('data', (c: Buffer) => process.stderr.write(c));
    child.on('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** RSS of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return round(kb / 1024);
  } catch {
    return NaN;
  }
}

/**
 * Closed-loop load: `clients` concurrent callers, each sending its next request when the previous
 * answers, for `durationMs`. Returns latencies (ms) and throughput.
 */
export async function closedLoopLoad(
  clients: number,
  durationMs: number,
  send: (i: number) => Promise<void>,
): Promise<{ requests: number; errors: number; rps: number; p50: number; p90: number; p95: number; p99: number; max: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      let i = c;
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          await send(i);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
        i += clients;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: round(latencies.length / elapsed),
    p50: round(percentile(latencies, 50), 2),
    p90: round(percentile(latencies, 90), 2),
    p95: round(percentile(latencies, 95), 2),
    p99: round(percentile(latencies, 99), 2),
    max: round(latencies[latencies.length - 1] ?? NaN, 2),
  };
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs JSON over a keep-alive connection; rejects on HTTP errors and GraphQL errors. */
export function postJson(url: string, token: string, body: unknown): Promise<void> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: keepAlive, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          // The load generator shares the cores with the system under test: it only looks for
          // GraphQL's top-level "errors" key instead of parsing every 30 KB answer.
          const text = Buffer.concat(chunks).toString('latin1');
          if ((res.statusCode ?? 500) >= 400 || text.startsWith('{"errors"') || text.includes(',"errors":[')) reject(new Error(text.slice(0, 500)));
          else resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The encryption key every benchmark's API and worker share (the benchmark writes credentials itself). */
export const BENCH_ENCRYPTION_KEY = Buffer.alloc(32, 9);

/**
 * Registers simulated clusters straight into the database with their encrypted admin credential
 * (bulk SQL: no attach path, no sync jobs), in `status`, never due for a sync.
 */
export async function registerSimClusters(
  dbUrl: string,
  organizationId: string,
  clusters: Array<{ name: string; url: string; token: string }>,
  caPem: string,
  status: 'PENDING' | 'CONNECTED',
): Promise<void> {
  const cipher = new CredentialCipher('k1', { k1: BENCH_ENCRYPTION_KEY });
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    for (let i = 0; i < clusters.length; i += 2000) {
      const chunk = clusters.slice(i, i + 2000);
      const inserted: Array<{ id: string; name: string }> = (
        await c.query(
          `INSERT INTO clusters (organization_id, name, api_server_url, bindable_roles, status, last_seen_at, next_sync_at)
           SELECT $1, n, u, '{admin,edit,view}', $4, CASE WHEN $4 = 'CONNECTED' THEN now() END, 'infinity' FROM unnest($2::text[], $3::text[]) AS t(n, u) RETURNING id, name`,
          [organizationId, chunk.map((x) => x.name), chunk.map((x) => x.url), status],
        )
      ).rows;
      const idOf = new Map(inserted.map((r) => [r.name, r.id]));
      const ids = chunk.map((x) => ({ id: idOf.get(x.name)! }));
      // Bound to each cluster's id and URL, as the API stores them (format 2).
      const blobs = chunk.map((x) => cipher.encrypt({ token: x.token, caPem }, { clusterId: idOf.get(x.name)!, apiServerUrl: x.url }));
      await c.query(
        `INSERT INTO cluster_credentials (cluster_id, organization_id, key_id, iv, ciphertext, auth_tag, format)
         SELECT id, $1, k, iv, ct, tag, 2 FROM unnest($2::uuid[], $3::text[], $4::bytea[], $5::bytea[], $6::bytea[]) AS t(id, k, iv, ct, tag)`,
        [organizationId, ids.map((r) => r.id), blobs.map((b) => b.keyId), blobs.map((b) => b.iv), blobs.map((b) => b.ciphertext), blobs.map((b) => b.authTag)],
      );
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

/** [min, max] of a benchmark's runs. */
export function spreadOf(values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/** Drops the benchmark's database, or keeps it (and says where) when BENCH_KEEP_DB is set. */
export async function releaseDatabase(db: { url: string; drop(): Promise<void> }): Promise<void> {
  if (process.env.BENCH_KEEP_DB) process.stderr.write(`kept database ${db.url}\n`);
  else await db.drop();
}

/** Runs a benchmark's main and exits: 0 with its JSON printed, 1 with one line on stderr. */
export function runBenchmark(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${name} bench: ${err.message}\n`);
      process.exit(1);
    },
  );
}

/** CPU seconds (user + system) used so far by a process, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every process whose command name is `name` (PostgreSQL backends, redis-server). */
export function cpuSecondsByName(name: string): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim().startsWith(name)) total += cpuSeconds(Number(d));
    } catch {
      /* gone */
    }
  }
  return total;
}

/**
 * The environment of an API process a read benchmark starts: its own ports, no rate limit, quiet
 * logs, and Node.js run as the image runs it (NODE_ENV=production, API_NODE_FLAGS).
 */
export function benchApiEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    NODE_OPTIONS: [process.env.NODE_OPTIONS, ...API_NODE_FLAGS].filter(Boolean).join(' '),
    DATABASE_URL: databaseUrl,
    PORT: '0',
    FLOTILLA_AGENT_PORT: '0',
    LOG_LEVEL: 'error',
    FLOTILLA_RATE_LIMIT_PER_MINUTE: '0',
    FLOTILLA_QUEUE_PREFIX: `bench-${Date.now()}`,
    FLOTILLA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
}
