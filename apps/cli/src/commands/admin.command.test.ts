import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from '@flotilla/testing';

// The test runner (npm test) gives each run a database of its own; never touch the default one.
const databaseUrl = process.env.DATABASE_URL;

function bootstrap(org: string) {
  return spawnSync(process.execPath, [join(repoRoot(), 'bin', 'flotilla.js'), 'admin', 'bootstrap', '--org', org], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

test('admin bootstrap prints only the token on stdout, and a second run issues a new token for the same organization', { skip: !databaseUrl && 'needs the per-run DATABASE_URL of npm test' }, () => {
  const org = `cli-bootstrap-${randomBytes(3).toString('hex')}`;
  const first = bootstrap(org);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^flt_\S+\n$/);
  const token = first.stdout.trim();
  assert.match(first.stderr, new RegExp(`Issued a new ADMIN token for organization "${org}" \\(([^)]+)\\)`));
  assert.ok(!first.stderr.includes(token), 'the token appears on stdout only');

  const second = bootstrap(org);
  assert.equal(second.status, 0, second.stderr);
  assert.notEqual(second.stdout.trim(), token);
  const orgId = (s: string) => /\(([^)]+)\)/.exec(s)?.[1];
  assert.equal(orgId(second.stderr), orgId(first.stderr), 'the same organization');
});

test('admin bootstrap against an unreachable database fails with exit 1 and no token', () => {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'flotilla.js'), 'admin', 'bootstrap', '--org', 'x'], {
    env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://flotilla:s3cret-pw@127.0.0.1:1/nowhere' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: bootstrap failed: /);
  assert.ok(!r.stderr.includes('s3cret-pw'));
});
