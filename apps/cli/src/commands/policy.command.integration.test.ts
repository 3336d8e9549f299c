import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

describe('flotilla policy apply against the real API', { skip }, () => {
  let api: ApiHarness;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-policy-'));

  before(async () => {
    api = await startApiHarness();
    // An organization of its own: policies are per organization and other files add theirs.
    const org = await api.newOrganization();
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: org.token, FLOTILLA_CONFIG: join(dir, 'absent.json') };
    const r = await api.gql(`mutation($input: CreateClusterGroupInput!) { createClusterGroup(input: $input) { id } }`, { input: { name: 'payments' } }, org.token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  });
  after(async () => {
    await api?.close();
  });

  async function apply(text: string) {
    const file = join(dir, `p-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    const c = captureIo();
    const code = await run(['policy', 'apply', '-f', file], { io: c.io, env });
    return { code, out: c.out, err: c.err };
  }

  const policies = (mode: string) => `name: default-deny-ingress
type: NETWORK
mode: ${mode}
spec:
  defaultDeny: ingress
  excludeNamespaces: [monitoring]
---
name: namespace-owners
type: LABELS
spec: { kinds: [Namespace], required: [owner] }
scope: { kind: GROUP, group: payments }
`;

  test('creates, then leaves alone, then updates, matching policies by name', async () => {
    const first = await apply(policies('AUDIT'));
    assert.equal(first.code, 0, first.err);
    assert.equal(first.out, 'policy/default-deny-ingress created\npolicy/namespace-owners created\n');

    const again = await apply(policies('AUDIT'));
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out, 'policy/default-deny-ingress unchanged\npolicy/namespace-owners unchanged\n');

    const enforce = await apply(policies('ENFORCE'));
    assert.equal(enforce.code, 0, enforce.err);
    assert.equal(enforce.out, 'policy/default-deny-ingress configured\npolicy/namespace-owners unchanged\n');

    const stored = await api.gql(`query { policies { name mode scope { kind group { name } } } }`, {}, env.FLOTILLA_TOKEN);
    const byName = Object.fromEntries((stored.data.policies as Array<{ name: string; mode: string; scope: unknown }>).map((p) => [p.name, p]));
    assert.equal(byName['default-deny-ingress'].mode, 'ENFORCE');
    assert.deepEqual(byName['namespace-owners'].scope, { kind: 'GROUP', group: { name: 'payments' } });
  });

  test('a spec the API refuses fails that policy with the API\'s words, exit 1', async () => {
    const r = await apply(`name: bad-quota
type: QUOTA
spec: { hard: "lots" }
`);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: policy\/bad-quota: .+\nerror: 1 of 1 policy not applied\n$/);
  });
});
