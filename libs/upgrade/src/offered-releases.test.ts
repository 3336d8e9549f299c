import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offeredVersionsOf } from './offered-releases';

function tkr(name: string, spec: Record<string, unknown>, compatible = 'True') {
  return {
    apiVersion: 'run.tanzu.vmware.com/v1alpha3',
    kind: 'TanzuKubernetesRelease',
    metadata: { name },
    spec,
    status: { conditions: [{ type: 'Compatible', status: compatible }, { type: 'Ready', status: 'True' }] },
  };
}

test('a Supervisor offers the Kubernetes version of each TKR, as the workload cluster will report it, once each', () => {
  const offered = offeredVersionsOf([
    tkr('v1.30.8---vmware.1-tkg.1', { version: 'v1.30.8+vmware.1-tkg.1', kubernetes: { version: 'v1.30.8+vmware.1' } }),
    tkr('v1.31.4---vmware.1-tkg.1', { version: 'v1.31.4+vmware.1-tkg.1', kubernetes: { version: 'v1.31.4+vmware.1' } }),
    tkr('v1.30.8---vmware.1-tkg.2', { version: 'v1.30.8+vmware.1-tkg.2', kubernetes: { version: 'v1.30.8+vmware.1' } }),
  ]);
  assert.deepEqual(offered, ['v1.30.8+vmware.1', 'v1.31.4+vmware.1']);
});

test('a TKR the Supervisor marks incompatible is no offer; one without spec.kubernetes offers its spec.version', () => {
  const offered = offeredVersionsOf([
    tkr('v1.28.8---vmware.1-tkg.1', { version: 'v1.28.8+vmware.1-tkg.1', kubernetes: { version: 'v1.28.8+vmware.1' } }, 'False'),
    tkr('v1.29.4---vmware.3-tkg.1', { version: 'v1.29.4+vmware.3-tkg.1' }),
    tkr('broken', {}),
  ]);
  assert.deepEqual(offered, ['v1.29.4+vmware.3-tkg.1']);
});
