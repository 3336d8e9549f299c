/**
 * `npm test`: runs every *.test.js under dist/ with node's test runner, against a database of
 * its own (created here, dropped afterwards) and a Redis key prefix of its own, so that runs never
 * collide. Arguments narrow the run to files whose path contains one of them.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';

const distRoot = join(__dirname, '..');

function findTests(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (entry.endsWith('.test.js')) out.push(full);
  }
  return out;
}

async function withAdminClient<T>(baseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const url = new URL(baseUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = findTests(distRoot)
    .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
    .sort();
  if (files.length === 0) {
    console.error('test: no test files found under dist/ (did the build run?)');
    return 1;
  }
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flotilla';
  const dbName = `flotilla_test_${runId}`;
  const testUrl = new URL(baseUrl);
  testUrl.pathname = `/${dbName}`;
  await withAdminClient(baseUrl, (c) => c.query(`CREATE DATABASE "${dbName}"`));
  console.log(`test: ${files.length} files, database ${dbName}, queue prefix flotilla-test-${runId}`);
  try {
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files.map((f) => relative(process.cwd(), f))],
        {
          stdio: 'inherit',
          env: {
            ...process.env,
            DATABASE_URL: testUrl.toString(),
            FLOTILLA_QUEUE_PREFIX: `flotilla-test-${runId}`,
            FLOTILLA_TEST_RUN_ID: runId,
            LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
            // Tests run webhook receivers on 127.0.0.1.
            FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK: process.env.FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK ?? 'true',
          },
        },
      );
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
    });
    return code;
  } finally {
    await withAdminClient(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)).catch((err) =>
      console.error(`test: could not drop ${dbName}: ${(err as Error).message}`),
    );
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`test: ${(err as Error).message}`);
    process.exit(1);
  },
);
