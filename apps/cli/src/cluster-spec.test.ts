import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './cli-error';
import { parseClusterSpec, provisionInput } from './cluster-spec';

const SPEC = `
name: tkg-dev-01
managementCluster: supervisor-01
namespace: tkg-dev
version: v1.31.4+vmware.1
controlPlane:
  replicas: 3
vmClass: best-effort-medium
storageClass: vsan-default-storage-policy
workers:
  - name: general
    replicas: 3
  - name: memory
    replicas: 2
    vmClass: guaranteed-large
labels:
  env: dev
`;

test('a spec file becomes the ProvisionClusterInput', () => {
  const input = provisionInput(parseClusterSpec(SPEC, 'spec.yaml'), 'mgmt-id', 'group-id');
  assert.deepEqual(input, {
    name: 'tkg-dev-01',
    managementClusterId: 'mgmt-id',
    namespace: 'tkg-dev',
    version: 'v1.31.4+vmware.1',
    controlPlaneReplicas: 3,
    vmClass: 'best-effort-medium',
    storageClass: 'vsan-default-storage-policy',
    workers: [{ name: 'general', replicas: 3 }, { name: 'memory', replicas: 2, vmClass: 'guaranteed-large' }],
    groupId: 'group-id',
    labels: [{ key: 'env', value: 'dev' }],
  });
});

test('a bad spec is a usage error naming the field', () => {
  assert.throws(() => parseClusterSpec('name: x\nmanagementCluster: m\nversion: v1\nworkers: []\n', 's.yaml'), (e: Error) => e instanceof CliError && e.exitCode === 2 && /s\.yaml: workers: /.test(e.message));
  assert.throws(() => parseClusterSpec(`${SPEC}\nreplicas: 3\n`, 's.yaml'), /Unrecognized key/);
  assert.throws(() => parseClusterSpec('workers: [', 's.yaml'), /not valid YAML/);
});
