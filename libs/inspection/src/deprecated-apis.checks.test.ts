import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInspection } from './run-inspection';
import type { InspectionSnapshot } from './inspection.types';

const IN_USE = [
  { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'flowschemas', removedRelease: '1.32' },
  { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'prioritylevelconfigurations', removedRelease: '1.32' },
  { group: 'storage.k8s.io', version: 'v1beta1', resource: 'volumeattributesclasses', removedRelease: '1.37' },
];

test('by default the next minor is the target: each API it removes is a FAIL naming the API and its replacement', () => {
  const s: InspectionSnapshot = { provider: 'VSPHERE', version: 'v1.31.4+vmware.1', deprecatedApisInUse: IN_USE };
  const checks = runInspection('DEPRECATED_APIS', s);
  assert.deepEqual(checks, [
    {
      id: 'deprecated-apis.flowcontrol.apiserver.k8s.io.v1beta3.flowschemas',
      title: 'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is removed in 1.32',
      severity: 'HIGH',
      outcome: 'FAIL',
      message: 'flowcontrol.apiserver.k8s.io/v1beta3 flowschemas is still requested, and v1.32 no longer serves it (removed in 1.32). Move its clients and manifests to flowcontrol.apiserver.k8s.io/v1.',
    },
    {
      id: 'deprecated-apis.flowcontrol.apiserver.k8s.io.v1beta3.prioritylevelconfigurations',
      title: 'flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration is removed in 1.32',
      severity: 'HIGH',
      outcome: 'FAIL',
      message: 'flowcontrol.apiserver.k8s.io/v1beta3 prioritylevelconfigurations is still requested, and v1.32 no longer serves it (removed in 1.32). Move its clients and manifests to flowcontrol.apiserver.k8s.io/v1.',
    },
  ]);
});

test('an explicit target is used instead of the next minor', () => {
  const s: InspectionSnapshot = { provider: 'VSPHERE', version: 'v1.31.4', targetVersion: 'v1.37.0', deprecatedApisInUse: IN_USE };
  assert.deepEqual(runInspection('DEPRECATED_APIS', s).map((c) => c.id.split('.').pop()), ['flowschemas', 'prioritylevelconfigurations', 'volumeattributesclasses']);
});

test('nothing removed by the target is one PASS that still names what is deprecated', () => {
  const s: InspectionSnapshot = { provider: 'EKS', version: 'v1.30.2-eks-7f9249a', deprecatedApisInUse: IN_USE };
  const checks = runInspection('DEPRECATED_APIS', s);
  assert.equal(checks.length, 1);
  assert.equal(checks[0]!.outcome, 'PASS');
  assert.equal(checks[0]!.id, 'deprecated-apis.none');
  assert.match(checks[0]!.message, /^No API in use is removed by v1\.31\. Deprecated but still served there: flowcontrol\.apiserver\.k8s\.io\/v1beta3 flowschemas \(removed in 1\.32\)/);
});

test('an API server whose metric was not read is SKIP, not PASS', () => {
  const checks = runInspection('DEPRECATED_APIS', { provider: 'GENERIC', version: 'v1.30.0' });
  assert.deepEqual(checks.map((c) => c.outcome), ['SKIP']);
});

test('an unreadable target is SKIP with the reason', () => {
  const checks = runInspection('DEPRECATED_APIS', { provider: 'GENERIC', version: 'v1.30.0', targetVersion: 'next', deprecatedApisInUse: [] });
  assert.equal(checks[0]!.outcome, 'SKIP');
  assert.match(checks[0]!.message, /"next"/);
});
