// Agreement with kube-no-trouble (kubent): its fixtures, the removal release its tests file each one
// under, and its expected JSON output. See ../shared/oracles/deprecated-apis/SOURCE.md, part 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { kubeNoTroubleFixture } from './deprecated-api-oracles.loader';
import { ObjectRef, objectsRemovedBy } from './removed-apis';

function objects(file: string): ObjectRef[] {
  const text = kubeNoTroubleFixture(file);
  if (file.endsWith('.json')) return [JSON.parse(text) as ObjectRef];
  return parseAllDocuments(text)
    .map((d) => d.toJS() as ObjectRef | null)
    .filter((o): o is ObjectRef => o !== null);
}

const BY_RELEASE: Record<string, string[]> = {
  '1.16': ['deployment-v1beta1.yaml', 'deployment-v1beta1.json', 'deployment-v1beta1-labels.yaml', 'fake-deployment-v1beta1-with-annotation.yaml', 'fake-deployment-v1beta1-with-kapp-annotation.yaml'],
  '1.22': [
    'clusterrole', 'clusterrolebinding', 'role', 'rolebinding', 'csidriver', 'csinode', 'storageclass', 'volumeattachment', 'priorityclass', 'ingress',
    'ingressclass', 'lease', 'certificatesigningrequest', 'subjectaccessreview', 'selfsubjectaccessreview', 'localsubjectaccessreview', 'tokenreview',
    'apiservice', 'customresourcedefinition', 'mutatingwebhookconfiguration', 'validatingwebhookconfiguration',
  ].map((f) => `${f}-v1beta1.yaml`).concat(['fake-ingress-v1beta1-with-annotation.yaml', 'fake-tokenReview-deprecated.yaml']),
  '1.25': ['autoscaler-v2beta1.yaml', 'cronjob-v1beta1.yaml', 'endpointslice-v1beta1.yaml', 'poddisruptionbudget-v1beta1.yaml', 'podsecuritypolicy-v1beta1.yaml', 'runtimeclass-v1beta1.yaml'],
  '1.26': ['autoscaler-v2beta2.yaml', 'flowschema-v1beta1.yaml', 'prioritylevelconfiguration-v1beta1.yaml'],
  '1.27': ['csistoragecapacity-v1beta1.yaml'],
  '1.29': ['flowschema-v1beta2.yaml', 'prioritylevelconfiguration-v1beta2.yaml'],
  '1.32': ['flowschema-v1beta3.yaml', 'prioritylevelconfiguration-v1beta3.yaml'],
};

for (const [release, files] of Object.entries(BY_RELEASE)) {
  test(`the fixtures kubent files under ${release} are removed exactly in ${release}`, () => {
    const [major, minor] = release.split('.').map(Number) as [number, number];
    for (const file of files) {
      const objs = objects(file);
      assert.ok(objs.length > 0, file);
      const at = objectsRemovedBy(release, objs);
      assert.equal(at.length, objs.length, `${file}: every object is removed in ${release}`);
      assert.ok(at.every((o) => o.removedIn === release), `${file}: removal release ${at.map((o) => o.removedIn).join(',')}`);
      assert.deepEqual(objectsRemovedBy(`${major}.${minor - 1}`, objs), [], `${file}: still served in ${major}.${minor - 1}`);
    }
  });
}

test('the mixed manifest names both its objects with their own releases', () => {
  const hits = objectsRemovedBy('v1.22.0', objects('deployment-v1beta1-and-ingress-v1beta1.yaml'));
  assert.deepEqual(hits.map((h) => `${h.kind} ${h.name} ${h.apiVersion} ${h.removedIn} → ${h.replacement}`), [
    'Deployment nginx-deployment-old apps/v1beta1 1.16 → apps/v1',
    'Ingress test-ingress extensions/v1beta1 1.22 → networking.k8s.io/v1',
  ]);
});

test('objects kubent does not flag are not flagged: CRD-served snapshots, cert-manager, an unannotated apps/v1 object', () => {
  for (const file of ['volumesnapshot-v1beta1.yaml', 'volumesnapshotclass-v1beta1.yaml', 'volumesnapshotcontent-v1beta1.yaml', 'issuer-v1alpha2.yaml', 'fake-deployment-v1beta1-no-annotation.yaml']) {
    assert.deepEqual(objectsRemovedBy('v1.99.0', objects(file)), [], file);
  }
});

test('the judgement names the same object, API and replacement as kubent\'s expected JSON output', () => {
  for (const [fixture, expectedFile] of [
    ['deployment-v1beta1.yaml', 'expected-json-output.json'],
    ['deployment-v1beta1-labels.yaml', 'expected-json-output-labels.json'],
  ] as const) {
    const expected = JSON.parse(kubeNoTroubleFixture(expectedFile)) as Array<Record<string, string>>;
    const ours = objectsRemovedBy('v1.16.0', objects(fixture)).map((o) => ({
      Name: o.name,
      Namespace: o.namespace ?? '<undefined>',
      Kind: o.kind,
      ApiVersion: o.apiVersion,
      RuleSet: `Deprecated APIs removed in ${o.removedIn}`,
      ReplaceWith: o.replacement,
    }));
    assert.deepEqual(ours, expected.map(({ Name, Namespace, Kind, ApiVersion, RuleSet, ReplaceWith }) => ({ Name, Namespace, Kind, ApiVersion, RuleSet, ReplaceWith })));
    // kubent's "Since" is Pluto-style 1.9.0; upstream's lifecycle says apps/v1beta1 was deprecated in 1.8,
    // and upstream wins — so "Since" is the one field not compared.
    assert.equal(expected[0]?.Since, '1.9.0');
  }
});
