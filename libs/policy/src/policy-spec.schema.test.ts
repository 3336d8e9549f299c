import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicySpecError } from './policy-spec.errors';
import { validatePolicySpec } from './policy-spec.schema';
import type { PolicyType } from './policy.types';

function issues(type: PolicyType, spec: unknown): Array<{ path: string; message: string }> {
  try {
    validatePolicySpec(type, spec);
  } catch (error) {
    assert.ok(error instanceof PolicySpecError, `expected PolicySpecError, got ${String(error)}`);
    return error.issues;
  }
  assert.fail(`spec was accepted: ${JSON.stringify(spec)}`);
}

const paths = (type: PolicyType, spec: unknown) => issues(type, spec).map((i) => i.path);

test('a missing required field is reported as Required at its path', () => {
  assert.deepEqual(issues('ACCESS', { bindings: [{ subjects: [{ kind: 'User', name: 'a' }] }] }), [{ path: 'spec.bindings[0].role', message: 'Required' }]);
  try {
    validatePolicySpec('ACCESS', { bindings: [{ subjects: [{ kind: 'User', name: 'a' }] }] });
  } catch (error) {
    assert.equal((error as Error).message, 'spec.bindings[0].role: Required');
  }
});

test('the error message names every offending path', () => {
  assert.throws(
    () => validatePolicySpec('NETWORK', { defaultDeny: 'everything', excludeNamespaces: ['Bad_NS'] }),
    (error: unknown) =>
      error instanceof PolicySpecError && /spec\.defaultDeny: /.test(error.message) && /spec\.excludeNamespaces\[0\]: /.test(error.message),
  );
});

test('a spec that is not an object is rejected at the spec itself', () => {
  assert.deepEqual(paths('SECURITY', undefined), ['spec']);
  assert.deepEqual(paths('LABELS', 'owner'), ['spec']);
});

test('unknown fields are rejected so typos do not silently weaken a policy', () => {
  assert.deepEqual(paths('NETWORK', { defaultDeny: 'all', excludeNamespace: ['a'] }), ['spec']);
  assert.match(issues('NETWORK', { defaultDeny: 'all', excludeNamespace: ['a'] })[0].message, /excludeNamespace/);
});

test('ACCESS: a ServiceAccount subject needs a namespace and only it may have one', () => {
  assert.deepEqual(paths('ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'ServiceAccount', name: 'ci' }] }] }), ['spec.bindings[0].subjects[0].namespace']);
  assert.deepEqual(paths('ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'User', name: 'a', namespace: 'x' }] }] }), ['spec.bindings[0].subjects[0].namespace']);
  assert.deepEqual(paths('ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'Robot', name: 'a' }] }] }), ['spec.bindings[0].subjects[0].kind']);
  assert.deepEqual(paths('ACCESS', { bindings: [] }), ['spec.bindings']);
  assert.deepEqual(paths('ACCESS', { bindings: [{ role: 'view', subjects: [] }] }), ['spec.bindings[0].subjects']);
  assert.deepEqual(paths('ACCESS', { bindings: [{ role: 'a/b', subjects: [{ kind: 'User', name: 'a' }] }] }), ['spec.bindings[0].role']);
});

test('ACCESS: a valid spec is returned as given', () => {
  const spec = { bindings: [{ role: 'system:aggregate-to-view', subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'ci' }], namespaces: ['team-a'] }] };
  assert.deepEqual(validatePolicySpec('ACCESS', spec), spec);
});

test('QUOTA: every hard value must be a Kubernetes quantity; numbers become strings', () => {
  assert.deepEqual(paths('QUOTA', { hard: { 'requests.cpu': '4 cores', 'limits.memory': '8Gi' } }), ['spec.hard["requests.cpu"]']);
  assert.deepEqual(paths('QUOTA', { hard: {} }), ['spec.hard']);
  assert.deepEqual(issues('QUOTA', { hard: { pods: '-1' } }), [{ path: 'spec.hard.pods', message: 'Must not be negative' }]);
  assert.deepEqual(validatePolicySpec('QUOTA', { hard: { pods: 10, 'requests.cpu': '500m' } }), { hard: { pods: '10', 'requests.cpu': '500m' } });
});

test('IMAGE_REGISTRY: entries are hosts or "/"-terminated prefixes, lowercased', () => {
  assert.deepEqual(paths('IMAGE_REGISTRY', { allowedRegistries: ['https://ghcr.io'] }), ['spec.allowedRegistries[0]']);
  assert.deepEqual(paths('IMAGE_REGISTRY', { allowedRegistries: ['ghcr.io/acme'] }), ['spec.allowedRegistries[0]']);
  assert.deepEqual(paths('IMAGE_REGISTRY', { allowedRegistries: [] }), ['spec.allowedRegistries']);
  assert.deepEqual(validatePolicySpec('IMAGE_REGISTRY', { allowedRegistries: ['Registry.Example.com', 'ghcr.io/acme/'] }), {
    allowedRegistries: ['registry.example.com', 'ghcr.io/acme/'],
  });
});

test('SECURITY: version defaults to latest; only "latest" and v1.N (N ≥ 0) are versions', () => {
  assert.deepEqual(validatePolicySpec('SECURITY', { level: 'restricted' }), { level: 'restricted', version: 'latest' });
  assert.deepEqual(validatePolicySpec('SECURITY', { level: 'baseline', version: 'v1.30' }), { level: 'baseline', version: 'v1.30' });
  for (const version of ['1.30', 'v0.9', 'v2.0', 'v1.030', 'v1', 'newest']) {
    assert.deepEqual(paths('SECURITY', { level: 'baseline', version }), ['spec.version'], version);
  }
  assert.deepEqual(paths('SECURITY', { level: 'privileged' }), ['spec.level']);
});

test('LABELS: kinds must be snapshot kinds and label keys valid', () => {
  assert.deepEqual(paths('LABELS', { kinds: ['Deployment', 'Widget'], required: ['owner'] }), ['spec.kinds[1]']);
  assert.deepEqual(paths('LABELS', { kinds: ['Namespace'], required: ['bad key'] }), ['spec.required[0]']);
  assert.deepEqual(paths('LABELS', { kinds: ['Namespace'], required: [] }), ['spec.required']);
  assert.deepEqual(validatePolicySpec('LABELS', { kinds: ['Namespace'], required: ['owner', 'example.com/team'] }), {
    kinds: ['Namespace'],
    required: ['owner', 'example.com/team'],
  });
});

test('an unknown policy type is an error about the type', () => {
  assert.deepEqual(paths('NOPE' as PolicyType, {}), ['type']);
});

test('names a policy writes into a cluster are bounded and printable; lists are bounded', () => {
  const access = (role: string, name: string) => ({ bindings: [{ role, subjects: [{ kind: 'User', name }] }] });
  assert.deepEqual(paths('ACCESS', access('view', 'a\u0000b')), ['spec.bindings[0].subjects[0].name']);
  assert.deepEqual(paths('ACCESS', access('view', 'admin\u202Egnp')), ['spec.bindings[0].subjects[0].name']);
  assert.deepEqual(paths('ACCESS', access('view', 'u'.repeat(254))), ['spec.bindings[0].subjects[0].name']);
  assert.deepEqual(paths('ACCESS', access('r'.repeat(70_000), 'alice')), ['spec.bindings[0].role']);
  assert.deepEqual(paths('ACCESS', access('cluster-admin\u0007', 'alice')), ['spec.bindings[0].role']);
  assert.deepEqual(paths('IMAGE_REGISTRY', { allowedRegistries: ['ghcr.io/\u202Eacme/'] }), ['spec.allowedRegistries[0]']);
  assert.deepEqual(paths('IMAGE_REGISTRY', { allowedRegistries: Array.from({ length: 101 }, (_, i) => `r${i}.example.com`) }), ['spec.allowedRegistries']);
  assert.deepEqual(paths('LABELS', { kinds: ['Namespace'], required: [`${'p'.repeat(254)}/owner`] }), ['spec.required[0]']);
  assert.deepEqual(paths('NETWORK', { defaultDeny: 'ingress', excludeNamespaces: Array.from({ length: 1001 }, (_, i) => `ns-${i}`) }), ['spec.excludeNamespaces']);
  assert.deepEqual(paths('QUOTA', { hard: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`count/r${i}`, '1'])) }), ['spec.hard']);
  // Label keys such as "constructor" are keys like any other.
  assert.equal(validatePolicySpec('LABELS', { kinds: ['Namespace'], required: ['constructor', 'toString'] }).required.length, 2);
});
