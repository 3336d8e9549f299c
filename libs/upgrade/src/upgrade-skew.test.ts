import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableUpgrades, checkKubeletSkew, checkUpgradeSkew } from './upgrade-skew';

function refused(current: string, target: string): string {
  const v = checkUpgradeSkew(current, target);
  assert.equal(v.allowed, false, `${current} → ${target} should be refused`);
  return v.allowed ? '' : v.reason;
}

test('a newer patch of the same minor is allowed', () => {
  assert.deepEqual(checkUpgradeSkew('v1.30.4', 'v1.30.8'), { allowed: true });
});

test('the next minor is allowed, at any patch', () => {
  assert.deepEqual(checkUpgradeSkew('v1.30.4', 'v1.31.0'), { allowed: true });
  assert.deepEqual(checkUpgradeSkew('v1.30.4', 'v1.31.7'), { allowed: true });
});

test('skipping a minor is refused, naming the minor to go through', () => {
  assert.match(refused('v1.30.4', 'v1.32.1'), /skips minor version 1\.31.*upgrade to 1\.31 first/);
  assert.match(refused('v1.29.0', 'v1.32.0'), /skips minor versions 1\.30, 1\.31/);
});

test('downgrades and staying put are refused', () => {
  assert.match(refused('v1.30.4', 'v1.30.3'), /older than the current v1\.30\.4: downgrades are not supported/);
  assert.match(refused('v1.30.4', 'v1.29.9'), /downgrades/);
  assert.match(refused('v1.30.4', '1.30.4'), /already at/);
});

test('a major version change is refused', () => {
  assert.match(refused('v1.35.0', 'v2.0.0'), /major version/);
});

test('provider suffixes do not confuse the skew rules', () => {
  assert.deepEqual(checkUpgradeSkew('v1.30.4+vmware.1', 'v1.31.2---vmware.1-tkg.1'), { allowed: true });
  assert.deepEqual(checkUpgradeSkew('v1.31.2-eks-7f9249a', 'v1.32.0-eks-abcdef0'), { allowed: true });
  assert.deepEqual(checkUpgradeSkew('v1.30.5-gke.1014001', 'v1.30.5-gke.1155000'), { allowed: true });
  assert.match(refused('v1.30.4+vmware.1', 'v1.32.0---vmware.1-tkg.1'), /skips minor version 1\.31/);
  assert.match(refused('v1.31.2-eks-7f9249a', 'v1.31.1-eks-1111111'), /downgrades/);
});

test('an unreadable version is refused with the parser\'s reason', () => {
  assert.match(refused('v1.30.4', 'stable'), /not a Kubernetes version: "stable"/);
});

test('available upgrades are the skew-allowed offers, newest first, deduplicated', () => {
  const offered = [
    'v1.29.9',
    'v1.30.4',
    'v1.30.5',
    'v1.31.1',
    '1.30.5',
    'v1.31.3',
    'v1.32.0',
    'v1.31.0-rc.1',
    'not-a-version',
    'v1.31.3',
  ];
  assert.deepEqual(availableUpgrades('v1.30.4', offered), ['v1.31.3', 'v1.31.1', 'v1.31.0-rc.1', 'v1.30.5']);
});

test('available upgrades from TKR names keep the names as offered', () => {
  const offered = ['v1.30.4---vmware.1-tkg.1', 'v1.31.2---vmware.1-tkg.1', 'v1.30.8---vmware.1-tkg.2', 'v1.32.1---vmware.1-tkg.1'];
  assert.deepEqual(availableUpgrades('v1.30.4+vmware.1', offered), ['v1.31.2---vmware.1-tkg.1', 'v1.30.8---vmware.1-tkg.2']);
});

test('the release a cluster already runs is not an upgrade, whatever build spelling it comes in', () => {
  // The workload cluster reports "+vmware.1"; its TKR adds "-tkg.1", which only the TKR name carries.
  assert.match(refused('v1.30.4+vmware.1', 'v1.30.4---vmware.1-tkg.1'), /already at/);
  assert.match(refused('v1.30.4', 'v1.30.4+vmware.1'), /already at/);
  assert.deepEqual(checkUpgradeSkew('v1.30.4+vmware.1', 'v1.30.4---vmware.2-tkg.1'), { allowed: true });
});

test('nothing offered beyond the current version means no upgrades', () => {
  assert.deepEqual(availableUpgrades('v1.31.3', ['v1.30.9', 'v1.31.3', 'v1.33.0']), []);
});

test('kubelets may trail the API server by three minors, two before 1.25, never lead it', () => {
  assert.deepEqual(checkKubeletSkew('v1.31.0', 'v1.28.9'), { allowed: true });
  assert.equal(checkKubeletSkew('v1.32.0', 'v1.28.9').allowed, false);
  assert.deepEqual(checkKubeletSkew('v1.26.0', 'v1.24.3'), { allowed: true });
  assert.equal(checkKubeletSkew('v1.27.0', 'v1.24.3').allowed, false);
  const newer = checkKubeletSkew('v1.30.0', 'v1.31.0');
  assert.ok(!newer.allowed && /newer than the API server/.test(newer.reason));
});
