import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';

// `npm run dev` as an operator runs it: a small fleet on free ports, SIGTERM, then a restart that
// finds the same clusters (same ids, same history) and the same admin token.
const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

interface DevRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Every process below `pid` (from /proc), so the test can tell none of them outlived the stack. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, ppid] of parent) {
      if (ppid !== p) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** Alive and not a zombie waiting for a reaper. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('npm run dev: stops cleanly and restarts with its state', { skip }, () => {
  const db = isolatedEnv('dev');
  const stateDir = mkdtempSync(join(tmpdir(), 'flotilla-dev-'));
  const runs: DevRun[] = [];
  const env = {
    ...process.env,
    ...db.env,
    PORT: '0',
    FLOTILLA_DEV_KUBE_SIM_PORT: '0',
    FLOTILLA_DEV_CLUSTERS: '2',
    FLOTILLA_DEV_STATE_DIR: stateDir,
    FLOTILLA_DEV_ORG: 'dev-test',
    FLOTILLA_KEY_FILE: join(stateDir, 'encryption.key'),
    LOG_LEVEL: 'info',
  };

  function start(): DevRun {
    const child = spawn(process.execPath, [join(__dirname, 'dev.js')], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let text = '';
    child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const run = { child, output: () => text, exited };
    runs.push(run);
    return run;
  }

  after(async () => {
    // Only if a test failed half-way: nothing of ours may outlive the file.
    for (const r of runs) {
      if (r.child.exitCode === null && r.child.pid) {
        try {
          process.kill(-r.child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await db.drop();
  });

  async function upAndDown(during?: (gql: (query: string) => Promise<{ data: any }>) => Promise<void>): Promise<{ token: string; ids: Record<string, string>; scans: number; output: string }> {
    const run = start();
    await eventually(async () => run.output(), (o) => o.includes('Ctrl-C stops everything') || run.child.exitCode !== null, {
      timeoutMs: 120_000,
      intervalMs: 250,
      what: 'the dev stack to be up',
    });
    const out = run.output();
    assert.match(out, /Flotilla is up/, out);
    const serverUrl = /Dashboard: +(http:\/\/127\.0\.0\.1:\d+)\/ /.exec(out)?.[1];
    assert.ok(serverUrl, out);
    const simPort = Number(/kube-sim fleet of 2 clusters at https:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    const apiPort = Number(new URL(serverUrl).port);
    const tokenFile = join(stateDir, 'admin-token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    // The printed commands carry the whole token: they paste as they are.
    assert.ok(out.includes(`-H 'authorization: Bearer ${token}'`), out);
    assert.ok(out.includes(`export FLOTILLA_API_URL=${serverUrl} FLOTILLA_TOKEN=${token};`), out);
    assert.ok(existsSync(join(stateDir, 'logs', 'api.log')) && readFileSync(join(stateDir, 'logs', 'api.log'), 'utf8').includes('listening on'));
    assert.ok(readFileSync(join(stateDir, 'logs', 'worker.log'), 'utf8').includes('worker started'));

    const gql = async (query: string) => {
      const res = await fetch(`${serverUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      return (await res.json()) as { data: any };
    };
    const clusters = await gql(`{ clusters(first: 50) { edges { node { id name status } } } }`);
    const ids = Object.fromEntries((clusters.data.clusters.edges as Array<{ node: { id: string; name: string; status: string } }>).filter((e) => e.node.status !== 'DETACHED').map((e) => [e.node.name, e.node.id]));
    await during?.(gql);
    const scans = (await gql(`{ scans(first: 10) { totalCount } }`)).data.scans.totalCount as number;

    const below = descendants(run.child.pid as number);
    assert.ok(below.length >= 2, `the api and worker run below dev.js (${below.join(', ')})`);
    assert.ok(await listening(apiPort));
    run.child.kill('SIGTERM');
    const code = await Promise.race([run.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000).unref())]);
    assert.equal(code, 0, run.output());
    assert.match(run.output(), /\[dev\] stopping…\n[\s\S]*\[dev\] stopped\n/);
    assert.deepEqual(below.filter(alive), [], 'no process of the stack is left');
    assert.equal(await listening(apiPort), false, 'the API port is free');
    assert.equal(await listening(simPort), false, 'the kube-sim port is free');
    return { token, ids, scans, output: out };
  }

  test('SIGTERM stops every process it started and frees every port; a restart keeps clusters, history and the token', { timeout: 280_000 }, async () => {
    const first = await upAndDown(async (gql) => {
      const started = await gql(`mutation { runComplianceScan(input: {}) { id } }`);
      const id = started.data.runComplianceScan.id as string;
      await eventually(() => gql(`{ scan(id: "${id}") { status } }`), (r) => r.data?.scan?.status === 'SUCCEEDED', { timeoutMs: 60_000, what: 'a scan of the dev fleet' });
    });
    assert.equal(first.scans, 1);
    assert.equal(Object.keys(first.ids).length, 2, JSON.stringify(first.ids));
    assert.match(first.output, /new admin token saved to/);

    const second = await upAndDown();
    assert.equal(second.token, first.token, 'the same admin token');
    assert.match(second.output, /admin token reused from/);
    assert.deepEqual(second.ids, first.ids, 'the same clusters, the same ids');
    assert.match(second.output, /2 of 2 clusters attached .*\(2 already known, kept their ids/);
    assert.equal(second.scans, 1, 'the scan of the first run is still there');
  });
});
