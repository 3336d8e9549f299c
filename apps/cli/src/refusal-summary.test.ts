import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certainRefusal, offeredLine, summariseReasons } from './refusal-summary';

test('per-node reasons that differ only by node become one line naming the nodes; repeats go', () => {
  const behind = 'kubelet 1.27.9 is 4 minor versions behind the API server 1.31.1 (at most 3 supported) after the upgrade.';
  const nodes = ['w-1', 'w-2', 'w-3', 'w-4', 'w-5', 'w-6', 'w-7'];
  const reasons = ['The cluster is DEGRADED, not CONNECTED: Flotilla must reach it to follow the rollout.', ...nodes.map((n) => `Node ${n}: ${behind}`), 'Node cp-1: kubelet 1.26.0 is 5 minor versions behind the API server 1.31.1 (at most 3 supported) after the upgrade.'];
  assert.deepEqual(summariseReasons([...reasons, reasons[0]]), [
    reasons[0],
    `7 nodes (w-1, w-2, w-3, w-4, w-5 and 2 more): ${behind}`,
    'Node cp-1: kubelet 1.26.0 is 5 minor versions behind the API server 1.31.1 (at most 3 supported) after the upgrade.',
  ]);
  assert.deepEqual(summariseReasons(['Node w-9 reports an unreadable kubelet version "x".', 'Node w-8 reports an unreadable kubelet version "x".']), [
    '2 nodes (w-9, w-8): reports an unreadable kubelet version "x".',
  ]);
});

test('what is offered closes the refusal', () => {
  assert.equal(offeredLine('v1.30.4+vmware.1', ['v1.31.1+vmware.1', 'v1.30.8+vmware.1']), 'Offered from v1.30.4+vmware.1: v1.31.1+vmware.1, v1.30.8+vmware.1.');
  assert.equal(offeredLine('v1.30.4', []), 'Offered: nothing the cluster can move to from v1.30.4.');
});

test('certain refusals: skipped minor, downgrade, major change, unreadable or not offered; none for an offered release', () => {
  const offered = ['v1.31.1+vmware.1', 'v1.30.8+vmware.1'];
  assert.match(certainRefusal('v1.30.4+vmware.1', 'v1.32.0', offered)[0], /^v1\.32\.0 skips minor version 1\.31/);
  assert.match(certainRefusal('v1.30.4+vmware.1', 'v1.29.0', offered)[0], /older than the current .*downgrades are not supported/);
  assert.match(certainRefusal('v1.30.4+vmware.1', 'v9.99.0', offered)[0], /changes the major version/);
  assert.match(certainRefusal('v1.30.4+vmware.1', 'latest', offered)[0], /^Target not a Kubernetes version/);
  assert.deepEqual(certainRefusal('v1.30.4+vmware.1', 'v1.31.7', offered), ['v1.31.7 is not offered by the management cluster.']);
  assert.deepEqual(certainRefusal('v1.30.4+vmware.1', 'v1.31.1', offered), [], 'the offered build of that release');
  assert.deepEqual(certainRefusal('v1.30.4+vmware.1', 'v1.30.8+vmware.1', offered), []);
});
