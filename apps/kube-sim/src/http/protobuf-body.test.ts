import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtobufObject } from './protobuf-body';
import { encodeKubeProtobuf, type ProtoValue } from '../testing/protobuf.test-helper';

const RBAC = 'rbac.authorization.k8s.io';

test('a ClusterRoleBinding in protobuf reads as its JSON form; empty strings are absent, as with omitempty', () => {
  const body = encodeKubeProtobuf(`${RBAC}/v1`, 'ClusterRoleBinding', [
    [1, [[1, 'admins'], [2, ''], [11, [[1, 'team'], [2, 'a']]], [11, [[1, 'tier'], [2, 'b']]], [8, [[1, 1_700_000_000]]]]],
    [2, [[1, 'User'], [2, RBAC], [3, 'bob'], [4, '']]],
    [2, [[1, 'ServiceAccount'], [2, ''], [3, 'bot'], [4, 'team']]],
    [3, [[1, RBAC], [2, 'ClusterRole'], [3, 'view']]],
    [99, 'a field from a newer release'],
  ]);
  assert.deepEqual(decodeProtobufObject(body), {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'admins', labels: { team: 'a', tier: 'b' }, creationTimestamp: '2023-11-14T22:13:20Z' },
    subjects: [
      { kind: 'User', apiGroup: RBAC, name: 'bob' },
      { kind: 'ServiceAccount', name: 'bot', namespace: 'team' },
    ],
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
  });
});

test('repeated strings keep empty values (the core API group); secrets keep bytes as base64', () => {
  const rules: ProtoValue = [[1, 'get'], [1, 'list'], [2, ''], [3, 'pods'], [3, 'pods/log']];
  assert.deepEqual(decodeProtobufObject(encodeKubeProtobuf(`${RBAC}/v1`, 'Role', [[1, [[1, 'r'], [3, 'ns']]], [2, rules]])), {
    apiVersion: `${RBAC}/v1`,
    kind: 'Role',
    metadata: { name: 'r', namespace: 'ns' },
    rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] }],
  });
  const secret = decodeProtobufObject(encodeKubeProtobuf('v1', 'Secret', [[1, [[1, 's']]], [2, [[1, 'token'], [2, Buffer.from([0, 255, 1])]]], [3, 'Opaque'], [5, true]]));
  assert.deepEqual(secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: 'AP8B' }, type: 'Opaque', immutable: true });
});

test('a kind outside the table is 415; a body that is not Kubernetes protobuf is 400', () => {
  assert.throws(() => decodeProtobufObject(encodeKubeProtobuf('apps/v1', 'Deployment', [[1, [[1, 'd']]]])), (e: { code?: number }) => e.code === 415);
  assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}')), (e: { code?: number; message: string }) => e.code === 400 && /magic number/.test(e.message));
  const truncated = encodeKubeProtobuf('v1', 'ConfigMap', [[1, [[1, 'c']]]]).subarray(0, 12);
  assert.throws(() => decodeProtobufObject(truncated), (e: { code?: number }) => e.code === 400);
});
