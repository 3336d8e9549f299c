import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareKubeVersions, parseKubeVersion } from './kube-version';

test('plain versions parse with or without the leading v', () => {
  for (const raw of ['v1.30.4', '1.30.4']) {
    const v = parseKubeVersion(raw);
    assert.deepEqual([v.major, v.minor, v.patch, v.semver, v.suffix], [1, 30, 4, '1.30.4', undefined]);
    assert.equal(v.raw, raw);
  }
});

test('provider suffixes are kept apart from the core version', () => {
  assert.equal(parseKubeVersion('v1.30.4+vmware.1').suffix, '+vmware.1');
  assert.equal(parseKubeVersion('v1.31.2-eks-7f9249a').semver, '1.31.2');
  assert.equal(parseKubeVersion('v1.31.2-eks-7f9249a').suffix, '-eks-7f9249a');
  assert.equal(parseKubeVersion('v1.30.5-gke.1014001').semver, '1.30.5');
});

test('a TKR name reads its "---" as "+"', () => {
  const v = parseKubeVersion('v1.30.4---vmware.1-tkg.1');
  assert.equal(v.semver, '1.30.4');
  assert.equal(v.suffix, '+vmware.1-tkg.1');
  assert.equal(compareKubeVersions('v1.30.4---vmware.1-tkg.1', 'v1.30.4+vmware.1-tkg.1'), 0);
});

test('junk is refused with the offending input in the message', () => {
  for (const junk of ['', 'latest', 'v1.30', '1.30.x', 'v1.30.4 beta', 'v1.30.4_foo']) {
    assert.throws(() => parseKubeVersion(junk), (err: Error) => err.message.includes(JSON.stringify(junk)));
  }
});

test('provider builds are releases, not pre-releases of them', () => {
  // Plain semver would make "1.31.2-eks-…" older than "1.31.2"; a provider build is the release.
  assert.ok(compareKubeVersions('v1.31.2-eks-7f9249a', 'v1.31.1') > 0);
  assert.ok(compareKubeVersions('v1.31.2-eks-7f9249a', 'v1.31.2') > 0);
  assert.ok(compareKubeVersions('v1.30.10', 'v1.30.9+vmware.3') > 0);
});

test('upstream pre-releases sort before their release', () => {
  assert.equal(parseKubeVersion('v1.31.0-rc.1').prerelease, 'rc.1');
  assert.ok(compareKubeVersions('v1.31.0-rc.1', 'v1.31.0') < 0);
  assert.ok(compareKubeVersions('v1.31.0-alpha.2', 'v1.31.0-beta.0') < 0);
  assert.ok(compareKubeVersions('v1.31.0-rc.1', 'v1.30.9') > 0);
});

test('newer provider builds of the same release sort later, numerically', () => {
  assert.ok(compareKubeVersions('v1.30.4+vmware.2', 'v1.30.4+vmware.1') > 0);
  assert.ok(compareKubeVersions('v1.30.5-gke.1155000', 'v1.30.5-gke.1014001') > 0);
  assert.ok(compareKubeVersions('v1.30.4---vmware.1-tkg.2', 'v1.30.4---vmware.1-tkg.1') > 0);
});
