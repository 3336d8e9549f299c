import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInspection } from './run-inspection';
import type { InspectionSnapshot } from './inspection.types';

const LEVELS: NonNullable<InspectionSnapshot['podSecurity']>['namespaces'] = [
  { namespace: 'team-b', highestLevel: 'privileged', enforceLabel: 'privileged' },
  { namespace: 'kube-system', highestLevel: 'privileged' },
  { namespace: 'team-a', highestLevel: 'restricted', enforceLabel: 'restricted' },
  { namespace: 'shop', highestLevel: 'baseline' },
  { namespace: 'flotilla-system', highestLevel: 'baseline' },
  { namespace: 'openshift-monitoring', highestLevel: 'privileged' },
];

test('one check per non-system namespace, by name: restricted PASS, baseline WARN, privileged FAIL', () => {
  const checks = runInspection('POD_SECURITY', { provider: 'VSPHERE', version: 'v1.30.4', podSecurity: { namespaces: LEVELS } });
  assert.deepEqual(checks.map((c) => [c.id, c.outcome, c.severity]), [
    ['pod-security.openshift-monitoring', 'FAIL', 'HIGH'],
    ['pod-security.shop', 'WARN', 'MEDIUM'],
    ['pod-security.team-a', 'PASS', 'LOW'],
    ['pod-security.team-b', 'FAIL', 'HIGH'],
  ]);
  assert.equal(checks[1]!.message, 'Namespace shop meets baseline: its pods meet baseline but not restricted; no pod-security.kubernetes.io/enforce label.');
  assert.equal(checks[2]!.message, 'Namespace team-a meets restricted: every pod meets the restricted profile; pod-security.kubernetes.io/enforce=restricted.');
  assert.match(checks[3]!.message, /^Namespace team-b meets privileged: .*; pod-security\.kubernetes\.io\/enforce=privileged\.$/);
});

test('on OpenShift its own openshift-* namespaces count as system', () => {
  const checks = runInspection('POD_SECURITY', { provider: 'OPENSHIFT', version: 'v1.30.4', podSecurity: { namespaces: LEVELS } });
  assert.deepEqual(checks.map((c) => c.id), ['pod-security.shop', 'pod-security.team-a', 'pod-security.team-b']);
});

test('levels not computed are one SKIP; only system namespaces is one PASS', () => {
  assert.deepEqual(runInspection('POD_SECURITY', { provider: 'GKE', version: 'v1.30.4' }).map((c) => c.outcome), ['SKIP']);
  const onlySystem = runInspection('POD_SECURITY', { provider: 'GKE', version: 'v1.30.4', podSecurity: { namespaces: [{ namespace: 'kube-system', highestLevel: 'privileged' }] } });
  assert.deepEqual(onlySystem.map((c) => c.outcome), ['PASS']);
});
