/** The CLI: one ready line, a clean SIGTERM, usage errors with exit code 2. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import https from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';

const MAIN = join(__dirname, 'main.js');

function run(args: string[]): { ready: Promise<string>; exit: Promise<number | null>; kill: (s: NodeJS.Signals) => void; stderr: () => string } {
  const child = spawn(process.execPath, [MAIN, ...args]);
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out);
    });
    void exit.then(() => reject(new Error(`exited before ready: ${err}`)));
  });
  return { ready, exit, kill: (s) => child.kill(s), stderr: () => err };
}

test('prints one ready line with the URL and cluster count, serves, and stops cleanly on SIGTERM', async () => {
  const p = run(['--clusters', '4', '--port', '0', '--seed', '3']);
  const line = await p.ready;
  const m = /^kube-sim listening on (https:\/\/127\.0\.0\.1:\d+) \(4 clusters\)\n$/.exec(line);
  assert.ok(m, line);
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get(`${m[1]}/_sim/clusters`, { rejectUnauthorized: false }, (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c.toString()));
        res.on('end', () => resolve(b));
      })
      .on('error', reject);
  });
  assert.equal(JSON.parse(body).length, 4);
  p.kill('SIGTERM');
  assert.equal(await p.exit, 0);
});

test('a bad flag is a usage error (exit code 2)', async () => {
  const p = run(['--clusters', 'many']);
  assert.equal(await p.exit, 2);
  assert.match(p.stderr(), /--clusters must be an integer/);
  await p.ready.catch(() => undefined);
});
