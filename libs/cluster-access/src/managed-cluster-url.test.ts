import { test } from 'node:test';
import assert from 'node:assert/strict';
import { managedClusterUrl } from './managed-cluster-url';

test('the annotation names the managed cluster URL, path prefix included', () => {
  const url = managedClusterUrl({
    metadata: { name: 'tkg-01', annotations: { 'flotilla.dev/api-server-url': 'https://127.0.0.1:6443/clusters/tkg-01/' } },
    spec: { controlPlaneEndpoint: { host: '127.0.0.1', port: 6443 } },
  });
  assert.equal(url, 'https://127.0.0.1:6443/clusters/tkg-01');
});

test('without the annotation the control-plane endpoint is used; without either, nothing', () => {
  assert.equal(managedClusterUrl({ metadata: { name: 'a' }, spec: { controlPlaneEndpoint: { host: 'cp-a.flotilla.invalid', port: 6443 } } }), 'https://cp-a.flotilla.invalid:6443');
  assert.equal(managedClusterUrl({ metadata: { name: 'b' }, spec: {} }), null);
});
