import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { repoRoot, sharedDir } from '@flotilla/testing';
import { CLI_OWN_GRAPHQL } from '../../cli/src/operations';
import { printServedSchema } from './api-app.factory';
import { ApiHarness, startApiHarness } from './testing/api-test-harness';

/** The features whose operations the API serves today; each new feature adds its file here. */
export const BUILT_FEATURES = ['registry', 'access', 'cli', 'compliance', 'upgrades', 'inspections', 'agents', 'campaigns', 'provisioning', 'notifications', 'governance'];

/**
 * Features served in part while another branch builds the rest: every operation of the file but
 * the listed pending ones must validate. Once none is pending, the feature moves to BUILT_FEATURES.
 */
export const PARTIAL_FEATURES: Record<string, string[]> = {};

let api: ApiHarness;
before(async () => {
  api = await startApiHarness();
});
after(async () => {
  await api?.close();
});

test('the committed schema file is exactly what the resolvers serve (run `npm run schema` after changing them)', () => {
  const committed = readFileSync(join(repoRoot(), 'apps/api/schema.graphql'), 'utf8');
  assert.equal(printServedSchema(api.app), committed);
});

/** The dashboard's own operations, beyond the contract's (apps/dashboard/src/operations/*.graphql). */
const dashboardOperationFiles = () => {
  const dir = join(repoRoot(), 'apps/dashboard/src/operations');
  return readdirSync(dir).filter((f) => f.endsWith('.graphql')).map((f) => join(dir, f));
};

test('the served schema accepts the dashboard and CLI operations of every built feature, and the dashboard\'s own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schema-'));
  const file = join(dir, 'schema.graphql');
  writeFileSync(file, printServedSchema(api.app));
  const own = dashboardOperationFiles();
  assert.ok(own.length > 0);
  const out = execFileSync(process.execPath, [join(sharedDir(), 'contract/check-contract.mjs'), file, ...BUILT_FEATURES, ...own], {
    cwd: repoRoot(),
    encoding: 'utf8',
  });
  assert.match(out, / 0 failed/);
});

test('the dashboard sends the contract\'s operations as they are: its copies equal ../shared/contract/operations byte for byte', () => {
  const dir = join(repoRoot(), 'apps/dashboard/src/contract');
  const copies = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
  assert.ok(copies.length > 0);
  for (const f of copies) {
    const feature = f.replace(/\.graphql$/, '');
    assert.ok(BUILT_FEATURES.includes(feature) || feature in PARTIAL_FEATURES, `${f}: the dashboard uses a feature the API does not serve yet`);
    const shared = readFileSync(join(sharedDir(), 'contract/operations', f), 'utf8');
    assert.equal(readFileSync(join(dir, f), 'utf8'), shared, `apps/dashboard/src/contract/${f} differs from the contract: copy ../shared/contract/operations/${f} over it`);
  }
});

test('the served schema accepts the operations of the partly built features, all but those still pending', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schema-'));
  const file = join(dir, 'schema.graphql');
  writeFileSync(file, printServedSchema(api.app));
  for (const [feature, pending] of Object.entries(PARTIAL_FEATURES)) {
    const source = readFileSync(join(sharedDir(), 'contract/operations', `${feature}.graphql`), 'utf8');
    const served = parse(source).definitions.filter((d) => !(d.kind === 'OperationDefinition' && d.name && pending.includes(d.name.value)));
    assert.ok(served.length > 0, feature);
    const ops = join(dir, `${feature}-served.graphql`);
    writeFileSync(ops, served.map((d) => source.slice(d.loc!.start, d.loc!.end)).join('\n\n') + '\n');
    const out = execFileSync(process.execPath, [join(sharedDir(), 'contract/check-contract.mjs'), file, ops], { cwd: repoRoot(), encoding: 'utf8' });
    assert.match(out, new RegExp(`contract: ${served.length} passed, 0 failed`), `${feature}: ${out}`);
  }
});

test("the served schema accepts the CLI's own operations (those beyond the shared contract)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'schema-'));
  const file = join(dir, 'schema.graphql');
  const ops = join(dir, 'cli-own.graphql');
  writeFileSync(file, printServedSchema(api.app));
  writeFileSync(ops, CLI_OWN_GRAPHQL);
  const out = execFileSync(process.execPath, [join(sharedDir(), 'contract/check-contract.mjs'), file, ops], { cwd: repoRoot(), encoding: 'utf8' });
  assert.match(out, /contract: [1-9]\d* passed, 0 failed/);
});
