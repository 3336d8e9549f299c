import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { repoRoot } from '@flotilla/testing';
import { DomainError } from '../common/domain.errors';
import type { ViewerContext } from './viewer';
import { WORKSPACE_TOKEN_OPERATIONS, assertWorkspaceMayCall, clusterScope, seesCluster, seesObject } from './workspace-restriction';

const base: ViewerContext = { organizationId: 'org', role: 'VIEWER', tokenId: 't', actor: 'token:t' };
const restricted: ViewerContext = {
  ...base,
  workspace: { workspaceId: 'ws', clusterIds: ['c1'], namespacesByCluster: new Map([['c1', new Set(['team-a'])]]) },
};

test('an organization token is not narrowed at all', () => {
  assert.deepEqual(clusterScope(base), { organizationId: 'org' });
  assert.ok(seesCluster(base, 'c9'));
  assert.ok(seesObject(base, 'c9', { kind: 'ClusterRole', name: 'x' }));
  for (const field of ['attachCluster', 'createPolicy', 'scans']) assert.doesNotThrow(() => assertWorkspaceMayCall(base, 'Mutation', field));
});

test("a workspace token sees its clusters, and on them only its namespaces' objects", () => {
  assert.deepEqual(clusterScope(restricted), { organizationId: 'org', clusterIds: ['c1'] });
  assert.ok(seesCluster(restricted, 'c1'));
  assert.ok(!seesCluster(restricted, 'c2'));
  assert.ok(seesObject(restricted, 'c1', { kind: 'Pod', namespace: 'team-a', name: 'p' }));
  assert.ok(seesObject(restricted, 'c1', { kind: 'Namespace', name: 'team-a' }));
  assert.ok(!seesObject(restricted, 'c1', { kind: 'Pod', namespace: 'team-b', name: 'p' }));
  assert.ok(!seesObject(restricted, 'c1', { kind: 'ClusterRoleBinding', namespace: null, name: 'crb' }));
  assert.ok(!seesObject(restricted, 'c2', { kind: 'Pod', namespace: 'team-a', name: 'p' }), 'same namespace name, another cluster');
});

test('root operations are default-deny for a workspace token; field resolvers pass', () => {
  assert.throws(() => assertWorkspaceMayCall(restricted, 'Mutation', 'attachCluster'), (e) => e instanceof DomainError && e.code === 'FORBIDDEN');
  assert.throws(() => assertWorkspaceMayCall(restricted, 'Query', 'someFutureQuery'), DomainError);
  assert.throws(() => assertWorkspaceMayCall(restricted, 'Mutation', 'detachCluster'), DomainError);
  assert.doesNotThrow(() => assertWorkspaceMayCall(restricted, 'Query', 'clusters'));
  assert.doesNotThrow(() => assertWorkspaceMayCall(restricted, 'Cluster', 'policyResults'));
});

test('every operation a workspace token may call exists in the served schema', () => {
  const schema = buildSchema(readFileSync(join(repoRoot(), 'apps/api/schema.graphql'), 'utf8'));
  for (const [type, fields] of Object.entries(WORKSPACE_TOKEN_OPERATIONS)) {
    const root = type === 'Query' ? schema.getQueryType() : schema.getMutationType();
    for (const field of fields) assert.ok(root?.getFields()[field], `${type}.${field}`);
  }
});
