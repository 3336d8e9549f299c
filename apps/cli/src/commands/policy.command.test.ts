import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../main';
import { captureIo, startFakeGraphqlApi } from '../testing/fake-graphql-api';

const org = { kind: 'ORGANIZATION', group: null, cluster: null };
const stored = [
  { id: 'p1', name: 'default-deny', type: 'NETWORK', mode: 'AUDIT', spec: { defaultDeny: 'ingress' }, scope: org, createdAt: '2026-01-01T00:00:00Z' },
  { id: 'p2', name: 'quota', type: 'QUOTA', mode: 'AUDIT', spec: { hard: { 'requests.cpu': '4' } }, scope: org, createdAt: '2026-01-01T00:00:00Z' },
  { id: 'p3', name: 'registries', type: 'IMAGE_REGISTRY', mode: 'AUDIT', spec: { allowedRegistries: ['ghcr.io/acme/'] }, scope: org, createdAt: '2026-01-01T00:00:00Z' },
];

const file = `name: default-deny
type: NETWORK
spec: { defaultDeny: ingress }
---
name: quota
type: QUOTA
mode: ENFORCE
spec: { hard: { requests.cpu: "8" } }
---
name: owners
type: LABELS
spec: { kinds: [Namespace], required: [owner] }
scope: { kind: GROUP, group: prod }
---
name: registries
type: SECURITY
spec: { level: baseline }
`;

test('policy apply creates, updates or leaves each policy by name, and exits 1 when one cannot be applied', async () => {
  const api = await startFakeGraphqlApi({
    Policies: () => ({ data: { policies: stored } }),
    ClusterGroups: () => ({ data: { clusterGroups: [{ id: 'g1', name: 'prod' }] } }),
    CreatePolicy: (v) => ({ data: { createPolicy: { id: 'new', ...v.input } } }),
    UpdatePolicy: (v) => ({ data: { updatePolicy: { id: v.id, name: 'quota', ...v.input } } }),
  });
  const path = join(mkdtempSync(join(tmpdir(), 'flotilla-policy-')), 'policies.yaml');
  writeFileSync(path, file);
  try {
    const c = captureIo();
    const code = await run(['policy', 'apply', '-f', path], { io: c.io, env: { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: 't' } });
    assert.equal(code, 1);
    assert.equal(c.out, 'policy/default-deny unchanged\npolicy/quota configured\npolicy/owners created\n');
    assert.match(c.err, /error: policy\/registries: exists with type IMAGE_REGISTRY; a policy's type cannot change/);
    assert.match(c.err, /error: 1 of 4 policies not applied\n$/);
    const update = api.requests.find((r) => r.operationName === 'UpdatePolicy');
    assert.deepEqual(update?.variables, { id: 'p2', input: { mode: 'ENFORCE', spec: { hard: { 'requests.cpu': '8' } } } });
    const create = api.requests.find((r) => r.operationName === 'CreatePolicy');
    assert.deepEqual(create?.variables, {
      input: { name: 'owners', type: 'LABELS', mode: 'AUDIT', spec: { kinds: ['Namespace'], required: ['owner'] }, scope: { kind: 'GROUP', groupId: 'g1' } },
    });
  } finally {
    await api.stop();
  }
});

test('policy apply sends nothing when the file is invalid', async () => {
  const api = await startFakeGraphqlApi({});
  const path = join(mkdtempSync(join(tmpdir(), 'flotilla-policy-')), 'bad.yaml');
  writeFileSync(path, 'name: x\ntype: NOPE\nspec: {}\n');
  try {
    const c = captureIo();
    assert.equal(await run(['policy', 'apply', '-f', path], { io: c.io, env: { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: 't' } }), 1);
    assert.match(c.err, /is not a valid policy file:\n {2}.*policy x: type must be one of/);
    assert.equal(api.requests.length, 0);
  } finally {
    await api.stop();
  }
});
