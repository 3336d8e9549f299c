import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, planEnforcement } from '../evaluate-policy';
import { PolicySpecError } from '../policy-spec.errors';
import { validatePolicySpec } from '../policy-spec.schema';
import { deployment, namespace, policy } from '../testing/snapshot.builders';
import { objectsCreatedBy } from '../enforcement/cleanup';

const runAsNonRoot = {
  matchConstraints: { resourceRules: [{ apiGroups: ['apps'], kinds: ['Deployment'] }] },
  validations: [
    {
      expression: 'has(object.spec.template.spec.securityContext) && has(object.spec.template.spec.securityContext.runAsNonRoot) && object.spec.template.spec.securityContext.runAsNonRoot == true',
      message: 'Deployments must set spec.template.spec.securityContext.runAsNonRoot',
    },
  ],
};

const container = { containers: [{ name: 'app', image: 'nginx' }] };

test('a CUSTOM rule reports exactly the Deployments that break it, outside system namespaces', () => {
  const snapshot = {
    Deployment: [
      deployment('shop', 'good', { ...container, securityContext: { runAsNonRoot: true } }),
      deployment('shop', 'root', container),
      deployment('shop', 'false', { ...container, securityContext: { runAsNonRoot: false } }),
      deployment('kube-system', 'coredns', container),
    ],
  };
  const result = evaluatePolicy(policy('CUSTOM', runAsNonRoot), snapshot);
  assert.equal(result.status, 'NON_COMPLIANT');
  assert.deepEqual(
    result.violations.map((v) => `${v.namespace}/${v.name}: ${v.message}`),
    ['shop/false: Deployments must set spec.template.spec.securityContext.runAsNonRoot', 'shop/root: Deployments must set spec.template.spec.securityContext.runAsNonRoot'],
  );
});

test('a CEL compile error names the validation index and the position', () => {
  const spec = { ...runAsNonRoot, validations: [runAsNonRoot.validations[0], { expression: 'object.spec.replicas <= ' }] };
  assert.throws(
    () => validatePolicySpec('CUSTOM', spec),
    (err: unknown) => {
      assert.ok(err instanceof PolicySpecError);
      assert.equal(err.issues[0].path, 'spec.validations[1].expression');
      assert.match(err.issues[0].message, /^does not compile: line 1, column \d+: /);
      return true;
    },
  );
  assert.throws(() => validatePolicySpec('CUSTOM', { ...runAsNonRoot, variables: [{ name: 'x', expression: 'a &&' }] }), /spec\.variables\[0\]\.expression: does not compile/);
  assert.throws(() => validatePolicySpec('CUSTOM', { ...runAsNonRoot, validations: [{ expression: 'true', messageExpression: '"a" +' }] }), /spec\.validations\[0\]\.messageExpression/);
  assert.throws(() => validatePolicySpec('CUSTOM', { ...runAsNonRoot, matchConstraints: { resourceRules: [{ apiGroups: ['example.com'], kinds: ['Widget'] }] } }), /resourceRules\[0\]: Matches no kind/);
  assert.throws(() => validatePolicySpec('CUSTOM', { ...runAsNonRoot, paramKind: { kind: 'ConfigMap' } }), /paramKind/);
});

test('variables, messageExpression, integers as CEL ints, runtime errors and non-bool results', () => {
  const spec = {
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], resources: ['deployments'] }], namespaces: ['shop'] },
    variables: [{ name: 'replicas', expression: 'object.spec.replicas' }],
    validations: [
      { expression: 'variables.replicas + 1 <= 4', messageExpression: "'too many replicas: ' + string(variables.replicas)" },
      { expression: 'object.spec.paused' },
      { expression: 'object.metadata.name' },
      { expression: "request.operation == 'CREATE' && oldObject == null" },
    ],
  };
  const d = { ...deployment('shop', 'web', container), spec: { ...(deployment('shop', 'web', container).spec as object), replicas: 5 } };
  const other = deployment('default', 'elsewhere', container);
  const result = evaluatePolicy(policy('CUSTOM', spec), { Deployment: [d, other] });
  assert.deepEqual(
    result.violations.map((v) => v.message),
    ["expression 'object.metadata.name' resulted in error: must evaluate to bool, got string", "expression 'object.spec.paused' resulted in error: no such key: paused", 'too many replicas: 5'].sort(),
  );
});

test('a namespaceSelector scopes by the namespace labels (and needs the Namespace list)', () => {
  const spec = { ...runAsNonRoot, matchConstraints: { ...runAsNonRoot.matchConstraints, namespaceSelector: { matchLabels: { env: 'prod' } } } };
  const snapshot = { Namespace: [namespace('a', { env: 'prod' }), namespace('b', { env: 'dev' })], Deployment: [deployment('a', 'x', container), deployment('b', 'y', container)] };
  assert.deepEqual(evaluatePolicy(policy('CUSTOM', spec), snapshot).violations.map((v) => v.namespace), ['a']);
  assert.throws(() => evaluatePolicy(policy('CUSTOM', spec), { Deployment: [] }), /no Namespace list/);
});

test('ENFORCE plans a ValidatingAdmissionPolicy and binding on 1.30+, audit only before, and cleanup finds both', () => {
  const p = policy('CUSTOM', runAsNonRoot, 'ENFORCE', 'pol-9');
  const snapshot = { Deployment: [deployment('shop', 'root', container)] };
  const plan = planEnforcement(p, snapshot, { kubernetesVersion: { major: 1, minor: 30 } });
  assert.deepEqual(plan.apply.map((o) => `${o.kind}/${o.metadata.name}`), ['ValidatingAdmissionPolicy/flotilla-cel-pol-9', 'ValidatingAdmissionPolicyBinding/flotilla-cel-pol-9-binding']);
  const [vap, binding] = plan.apply as any[];
  assert.deepEqual(vap.spec.matchConstraints.resourceRules, [{ apiGroups: ['apps'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }]);
  assert.deepEqual(vap.spec.validations, runAsNonRoot.validations);
  assert.deepEqual(binding.spec, { policyName: 'flotilla-cel-pol-9', validationActions: ['Deny'] });
  assert.equal(objectsCreatedBy('pol-9', plan.apply).length, 2);
  assert.equal(plan.unenforceable.length, 1, 'what already violates is still reported');
  const old = planEnforcement(p, snapshot, { kubernetesVersion: { major: 1, minor: 29 } });
  assert.deepEqual(old.apply, []);
  assert.match(old.notes?.[0] ?? '', /audit only: the cluster is v1\.29/);
});
