import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requiredResources } from './required-resources';
import { runInspection, summarize } from './run-inspection';
import type { InspectionKind } from './inspection.types';
import { healthyVsphere, node } from './snapshot.fixture';

test('the summary counts passes, failures and warnings; skips count nowhere', () => {
  const s = { ...healthyVsphere(), provider: 'EKS' as const, nodes: [node('a'), node('b', { ready: false })], pods: [] };
  const checks = runInspection('CONFORMANCE_LITE', s);
  assert.deepEqual(checks.map((c) => c.outcome), ['PASS', 'FAIL', 'PASS', 'SKIP', 'PASS']);
  assert.deepEqual(summarize(checks), { passed: 3, failed: 1, warnings: 0 });
  assert.deepEqual(summarize([]), { passed: 0, failed: 0, warnings: 0 });
});

test('the same snapshot always gives the same checks', () => {
  const s = healthyVsphere();
  assert.deepEqual(runInspection('CONFORMANCE_LITE', s), runInspection('CONFORMANCE_LITE', structuredClone(s)));
});

test('every kind tells the worker what to fetch', () => {
  assert.deepEqual(requiredResources('CONFORMANCE_LITE'), ['health', 'nodes', 'pods:kube-system', 'deployments:kube-system', 'daemonsets:kube-system']);
  assert.deepEqual(requiredResources('RBAC_RISK'), ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings']);
  assert.deepEqual(requiredResources('DEPRECATED_APIS'), ['deprecated-api-metrics']);
  assert.deepEqual(requiredResources('POD_SECURITY'), ['namespaces', 'pods']);
});

test('an unknown kind is an error, not an empty inspection', () => {
  assert.throws(() => runInspection('FOO' as InspectionKind, healthyVsphere()), /unknown inspection kind "FOO"/);
});
