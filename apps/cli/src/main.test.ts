import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@flotilla/testing';

const bin = join(repoRoot(), 'bin', 'flotilla.js');
const home = mkdtempSync(join(tmpdir(), 'flotilla-cli-main-'));

function flotilla(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, FLOTILLA_CONFIG: join(home, 'none', 'config.json') };
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('usage errors exit 2 with commander\'s message', () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['cluster', 'attach'], /missing required argument 'name'/],
    [['cluster', 'attach', 'prod', '--label', 'no-equals'], /must look like key=value/],
    [['cluster', 'list', '-o', 'xml'], /Allowed choices are table, json, yaml/],
    [['cluster', 'list', '--status', 'green'], /unknown status "GREEN"/],
    [['completion', 'fish'], /no completion for "fish": bash or zsh/],
    [['upgrade', 'cancel'], /missing required argument 'upgrade-or-cluster'/],
    [['token', 'create', '--name', 'x', '--expires-in-days', '400'], /must be a whole number of days from 1 to 365/],
    [['cluster', 'list', '--bogus'], /unknown option '--bogus'/],
    [['login', '--api', 'http://127.0.0.1:1'], /required option '--token <token>' not specified/],
    [['admin', 'bootstrap'], /required option '--org <name>' not specified/],
    [[], /Usage: flotilla/],
    [['cluster'], /Usage: flotilla cluster/],
  ];
  for (const [args, message] of cases) {
    const r = flotilla(...args);
    assert.equal(r.status, 2, `flotilla ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
});

test('help and version exit 0 on stdout', () => {
  const help = flotilla('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /cluster\s+attach, list, look at and detach clusters/);
  assert.match(help.stdout, /Exit codes: 0 ok; 1 failure .*; 2 usage error; 3 cannot reach or authenticate to the API\./);
  const version = flotilla('--version');
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('not logged in exits 3 (cannot authenticate to the API) with one "error:" line', () => {
  const r = flotilla('whoami');
  assert.equal(r.status, 3);
  assert.equal(r.stderr, 'error: not logged in: run flotilla login --api URL --token T (or set FLOTILLA_API_URL and FLOTILLA_TOKEN)\n');
});
