import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fleetMix } from './index';
import { DEPRECATED_APIS } from './deprecated-api.table';
import { parseKubeVersion } from './kube-version';
import { generateFleet } from './generation.test-helper';

interface LifecycleRow {
  groupVersion: string;
  kind: string;
  introduced: string | null;
  deprecated: string | null;
  removed: string | null;
}

const LIFECYCLE = resolve(__dirname, '../../../../../../shared/oracles/deprecated-apis/k8s-api-prerelease-lifecycle/lifecycle.json');
const rows = JSON.parse(readFileSync(LIFECYCLE, 'utf8')) as LifecycleRow[];
const minor = (release: string) => Number(release.split('.')[1]);

test('every table row matches lifecycle.json exactly', () => {
  for (const api of DEPRECATED_APIS) {
    const row = rows.find((r) => r.groupVersion === `${api.group}/${api.version}` && r.kind === api.kind);
    assert.ok(row, `${api.group}/${api.version} ${api.kind} is in lifecycle.json`);
    assert.deepEqual([row.introduced, row.deprecated, row.removed], [api.introduced, api.deprecated, api.removed], api.kind);
    assert.equal(api.resource, api.kind.toLowerCase().replace(/y$/, 'ie').replace(/ss$/, 'sse') + 's', `${api.kind} plural`);
  }
});

test('the table covers every beta resource that lifecycle.json removes in 1.29 or later', () => {
  const expected = rows.filter((r) => r.removed && minor(r.removed) >= 29 && /\/v\d+beta\d+$/.test(r.groupVersion) && !r.kind.endsWith('List') && r.groupVersion !== 'apidiscovery.k8s.io/v2beta1');
  for (const r of expected) assert.ok(DEPRECATED_APIS.some((a) => `${a.group}/${a.version}` === r.groupVersion && a.kind === r.kind), `${r.groupVersion} ${r.kind}`);
  assert.equal(DEPRECATED_APIS.length, expected.length);
});

test('clusters only use deprecated APIs their own version still serves, about a third of them', () => {
  const fleet = generateFleet(fleetMix(300, 1), 1);
  let users = 0;
  let blockedByNextMinor = 0;
  for (const g of fleet) {
    const v = parseKubeVersion(g.spec.version).minor;
    if (g.deprecatedApiUse.length) users++;
    assert.ok(g.deprecatedApiUse.length <= 2);
    for (const use of g.deprecatedApiUse) {
      const row = rows.find((r) => r.groupVersion === `${use.group}/${use.version}` && r.kind.toLowerCase() === DEPRECATED_APIS.find((a) => a.group === use.group && a.version === use.version && a.resource === use.resource)?.kind.toLowerCase());
      assert.ok(row?.removed && row.introduced && row.deprecated, `${use.group}/${use.version} ${use.resource}`);
      assert.equal(use.removedRelease, row.removed);
      assert.ok(minor(row.introduced) <= v && v < minor(row.removed), `${g.spec.name} at 1.${v} uses ${use.group}/${use.version} ${use.resource} (removed ${row.removed})`);
      assert.ok(minor(row.deprecated) <= v, 'only APIs already deprecated are reported');
      if (minor(row.removed) === v + 1) blockedByNextMinor++;
    }
  }
  assert.ok(users > fleet.length * 0.2 && users < fleet.length * 0.5, `${users} of ${fleet.length} clusters use deprecated APIs`);
  assert.ok(blockedByNextMinor > 0, 'some clusters use an API the next minor removes');
});
