import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError, kubeRelease, kubeVersion } from './index';

const F = 'input.targetVersion';
const refused = (err: unknown) => err instanceof InputValidationError && err.field === F;

test('Kubernetes versions with pre-release or build suffixes are accepted', () => {
  for (const v of ['v1.30.8', '1.30.8', 'v1.30.8+vmware.1', 'v1.31.0-rc.1', 'v1.31.2-eks-7f9249a', 'v1.30.5-gke.1014001', 'v1.30.4---vmware.1-tkg.1', 'v9999.9999.9999']) {
    assert.equal(kubeVersion(` ${v} `, F), v);
  }
});

test('huge numbers and non-versions are refused', () => {
  for (const v of ['v99999999999999999999.1', 'v99999999999999999999.1.0', 'v10000.0.0', 'v1.30', 'latest', 'v1.30.8 x', 'v1.30.8\u0000', 'v1.30.8+ü', `v1.30.8+${'a'.repeat(200)}`, 'v-1.2.3', 'v1.2.3.4', '']) {
    assert.throws(() => kubeVersion(v, F), refused, v);
  }
});

test('releases are read at minor precision and normalised', () => {
  assert.equal(kubeRelease('1.32', F), 'v1.32');
  assert.equal(kubeRelease('v1.32.0', F), 'v1.32');
  for (const v of ['v99999999999999999999.1', 'v1', '1.32.0-rc.1', 'one.two']) assert.throws(() => kubeRelease(v, F), refused, v);
});
