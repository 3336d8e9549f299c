import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PreflightInput, runPreflight } from './preflight';

function healthy(over: Partial<PreflightInput> = {}): PreflightInput {
  return {
    clusterStatus: 'CONNECTED',
    nodes: [
      { name: 'cp-1', ready: true, kubeletVersion: 'v1.30.4+vmware.1' },
      { name: 'worker-a', ready: true, kubeletVersion: 'v1.30.4+vmware.1' },
      { name: 'worker-b', ready: true, kubeletVersion: 'v1.30.4+vmware.1' },
    ],
    currentVersion: 'v1.30.4+vmware.1',
    targetVersion: 'v1.31.2---vmware.1-tkg.1',
    offeredVersions: ['v1.30.4---vmware.1-tkg.1', 'v1.31.2---vmware.1-tkg.1', 'v1.32.0---vmware.1-tkg.1'],
    managed: true,
    upgradeInProgress: false,
    deprecatedApisInUse: [],
    ...over,
  };
}

test('a healthy managed cluster going one minor up to an offered release passes', () => {
  assert.deepEqual(runPreflight(healthy()), { ok: true, reasons: [] });
});

test('a target the management cluster does not offer is refused', () => {
  const r = runPreflight(healthy({ targetVersion: 'v1.31.5---vmware.1-tkg.1' }));
  assert.equal(r.ok, false);
  assert.deepEqual(r.reasons, ['v1.31.5---vmware.1-tkg.1 is not offered by the management cluster.']);
});

test('an offered target that skips a minor is refused with the skew reason', () => {
  const r = runPreflight(healthy({ targetVersion: 'v1.32.0---vmware.1-tkg.1' }));
  assert.deepEqual(r.reasons, ['v1.32.0---vmware.1-tkg.1 skips minor version 1.31: Kubernetes upgrades one minor version at a time, upgrade to 1.31 first.']);
});

test('a disconnected cluster with NotReady nodes gets every reason, naming the nodes', () => {
  const nodes = healthy().nodes.map((n) => (n.name === 'cp-1' ? n : { ...n, ready: false }));
  const r = runPreflight(healthy({ clusterStatus: 'UNREACHABLE', nodes }));
  assert.equal(r.ok, false);
  assert.deepEqual(r.reasons, ['The cluster is UNREACHABLE, not CONNECTED: Flotilla must reach it to follow the rollout.', 'Nodes not Ready: worker-a, worker-b.']);
});

test('a second upgrade of the same cluster is refused', () => {
  assert.deepEqual(runPreflight(healthy({ upgradeInProgress: true })).reasons, ['Another upgrade of this cluster is already in progress.']);
});

test('a cluster Cluster API does not manage is not upgradeable from Flotilla', () => {
  assert.match(runPreflight(healthy({ managed: false })).reasons.join('\n'), /not managed by Cluster API, so it is not upgradeable from Flotilla/);
});

test('APIs in use that the target removes are refused, each named with its replacement', () => {
  const r = runPreflight(
    healthy({
      currentVersion: 'v1.31.4',
      targetVersion: 'v1.32.1',
      offeredVersions: ['v1.32.1'],
      nodes: [{ name: 'n1', ready: true, kubeletVersion: 'v1.31.4' }],
      deprecatedApisInUse: [
        { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'prioritylevelconfigurations', removedRelease: '1.32' },
        { group: 'storage.k8s.io', version: 'v1beta1', resource: 'volumeattributesclasses', removedRelease: '1.37' },
      ],
    }),
  );
  assert.deepEqual(r.reasons, [
    'flowcontrol.apiserver.k8s.io/v1beta3 prioritylevelconfigurations is still requested and v1.32.1 no longer serves it (removed in 1.32); move clients to flowcontrol.apiserver.k8s.io/v1.',
  ]);
});

test('kubelets the new API server would not support must be upgraded first', () => {
  const r = runPreflight(
    healthy({
      currentVersion: 'v1.30.2',
      targetVersion: 'v1.31.0',
      offeredVersions: ['v1.31.0'],
      nodes: [
        { name: 'cp-1', ready: true, kubeletVersion: 'v1.30.2' },
        { name: 'old-worker', ready: true, kubeletVersion: 'v1.27.9' },
      ],
    }),
  );
  assert.deepEqual(r.reasons, ['Node old-worker: kubelet v1.27.9 is 4 minor versions behind the API server v1.31.0 (at most 3 supported) after the upgrade.']);
});

test('a cluster with no nodes and an unreadable target reports both', () => {
  const r = runPreflight(healthy({ nodes: [], targetVersion: 'next' }));
  assert.deepEqual(r.reasons, ['The cluster reports no nodes.', 'Target not a Kubernetes version: "next" (expected e.g. "v1.30.4" or "v1.30.4+vmware.1").']);
});
