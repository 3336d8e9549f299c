import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveFromOracles } from './deprecated-api-oracles.loader';
import { REMOVED_APIS } from './removed-apis.data';
import { renderRemovedApiData } from './removed-apis.derivation';
import { apisRemovedBy, removedApiTable } from './removed-apis';
import type { DeprecatedApiInUse } from './removed-api.model';

const use = (group: string, version: string, resource: string, removedRelease?: string): DeprecatedApiInUse =>
  removedRelease ? { group, version, resource, removedRelease } : { group, version, resource };

test('the committed table is exactly what the oracle files derive (drift check)', () => {
  const derived = deriveFromOracles();
  assert.deepEqual(REMOVED_APIS, derived.table, 'oracles changed: regenerate removed-apis.data.ts (see its header)');
});

test('the committed data file is the generator\'s output, header included', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { repoRoot } = await import('@flotilla/testing/paths');
  const committed = readFileSync(join(repoRoot(), 'libs', 'upgrade', 'src', 'removed-apis.data.ts'), 'utf8');
  assert.equal(committed, renderRemovedApiData(deriveFromOracles()));
});

test('the table takes every upstream removal and fills only the gaps from Pluto', () => {
  const d = deriveFromOracles();
  assert.equal(d.counts.upstreamRows, 313);
  assert.equal(d.counts.upstreamRemoved, 166); // 76 of them List kinds, dropped
  assert.equal(d.table.filter((r) => r.source === 'kubernetes').length, 90);
  assert.equal(d.table.filter((r) => r.source === 'pluto').length, 21);
  assert.ok(!d.table.some((r) => r.kind.endsWith('List')));
  assert.ok(!d.table.some((r) => r.kind === 'FlowControl'), "Pluto's non-existent FlowControl kind is dropped");
  const psp = d.table.find((r) => r.group === 'policy' && r.kind === 'PodSecurityPolicy');
  assert.deepEqual(psp && [psp.source, psp.removedIn, psp.resource], ['pluto', '1.25', 'podsecuritypolicies']);
});

test('where Pluto and upstream date a removal differently, upstream wins', () => {
  const d = deriveFromOracles();
  const removalDisagreements = d.disagreements.filter((x) => x.field === 'removed');
  assert.deepEqual(
    removalDisagreements.map((x) => `${x.apiVersion} ${x.kind} k8s=${x.kubernetes} pluto=${x.pluto}`).sort(),
    [
      'admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicy k8s=1.32 pluto=1.33',
      'admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicyBinding k8s=1.32 pluto=1.33',
      'flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema k8s=1.26 pluto=1.29',
      'flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration k8s=1.26 pluto=1.29',
      'resource.k8s.io/v1beta1 DeviceClass k8s=1.38 pluto=1.36',
      'resource.k8s.io/v1beta1 ResourceClaim k8s=1.38 pluto=1.36',
      'resource.k8s.io/v1beta1 ResourceClaimTemplate k8s=1.38 pluto=1.36',
      'resource.k8s.io/v1beta1 ResourceSlice k8s=1.38 pluto=1.36',
      'storage.k8s.io/v1beta1 VolumeAttributesClass k8s=1.37 pluto=null',
    ],
  );
  // FlowSchema v1beta1: upstream stops serving it in 1.26, Pluto would wait for 1.29.
  const flowschemas = [use('flowcontrol.apiserver.k8s.io', 'v1beta1', 'flowschemas')];
  assert.deepEqual(apisRemovedBy('v1.26.0', flowschemas).map((r) => [r.removedIn, r.source]), [['1.26', 'kubernetes']]);
  // resource.k8s.io/v1beta1: Pluto says gone in 1.36, upstream still serves it until 1.38.
  assert.deepEqual(apisRemovedBy('v1.36.1', [use('resource.k8s.io', 'v1beta1', 'resourceclaims')]), []);
  assert.equal(apisRemovedBy('v1.38.0', [use('resource.k8s.io', 'v1beta1', 'resourceclaims')]).length, 1);
  // VolumeAttributesClass v1beta1: Pluto never removes it, upstream does in 1.37.
  assert.equal(apisRemovedBy('v1.37.0', [use('storage.k8s.io', 'v1beta1', 'volumeattributesclasses')])[0]?.removedIn, '1.37');
});

test('a removal counts from the GA release of its minor, not before', () => {
  const inUse = [use('flowcontrol.apiserver.k8s.io', 'v1beta3', 'flowschemas', '1.32')];
  assert.deepEqual(apisRemovedBy('v1.31.9', inUse), []);
  const [hit] = apisRemovedBy('v1.32.0', inUse);
  assert.deepEqual(hit, {
    group: 'flowcontrol.apiserver.k8s.io',
    version: 'v1beta3',
    resource: 'flowschemas',
    kind: 'FlowSchema',
    removedIn: '1.32',
    source: 'kubernetes',
    deprecatedIn: '1.29',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  });
  assert.equal(apisRemovedBy('1.33', inUse).length, 1, 'a bare minor is a valid target');
  assert.equal(apisRemovedBy('v1.32.2-eks-1234567', inUse).length, 1);
});

test('the table, not the metric label, decides the release; the label only covers APIs the table lacks', () => {
  // A server that mislabels the release does not move the judgement.
  assert.deepEqual(apisRemovedBy('v1.26.0', [use('flowcontrol.apiserver.k8s.io', 'v1beta1', 'flowschemas', '1.29')]).map((r) => r.removedIn), ['1.26']);
  const unknown = apisRemovedBy('v1.41.0', [use('example.k8s.io', 'v1beta1', 'widgets', '1.41')]);
  assert.deepEqual(unknown.map((r) => [r.resource, r.removedIn, r.source]), [['widgets', '1.41', 'apiserver']]);
  assert.deepEqual(apisRemovedBy('v1.41.0', [use('', 'v1', 'componentstatuses')]), [], 'deprecated without a removal is not removed');
});

test('APIs already gone at the current version are not blamed on the target', () => {
  const inUse = [use('extensions', 'v1beta1', 'ingresses'), use('batch', 'v1beta1', 'cronjobs')];
  assert.deepEqual(apisRemovedBy('v1.25.0', inUse, 'v1.24.3').map((r) => r.resource), ['cronjobs']);
  assert.deepEqual(apisRemovedBy('v1.25.0', inUse).map((r) => r.resource), ['ingresses', 'cronjobs']);
});

test('subresources collapse onto their API and results are ordered by removal release', () => {
  const inUse = [use('batch', 'v1beta1', 'cronjobs'), use('apps', 'v1beta1', 'deployments'), { ...use('apps', 'v1beta1', 'deployments'), subresource: 'scale' }];
  assert.deepEqual(apisRemovedBy('v1.30.0', inUse).map((r) => `${r.removedIn} ${r.group}/${r.version} ${r.resource}`), [
    '1.16 apps/v1beta1 deployments',
    '1.25 batch/v1beta1 cronjobs',
  ]);
});

test('the exported table is frozen and shared', () => {
  const t = removedApiTable();
  assert.equal(t, removedApiTable());
  assert.ok(Object.isFrozen(t) && Object.isFrozen(t[0]));
  assert.equal(t.length, REMOVED_APIS.length);
});
