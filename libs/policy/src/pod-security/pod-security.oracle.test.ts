import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sharedDir } from '@flotilla/testing/paths';
import type { KubeObject } from '../kube-object';
import { podSpecsOf } from '../workloads';
import { evaluatePodSecurity } from './evaluate-pod-security';

// Upstream's own fixtures (test/testdata of k8s.io/pod-security-admission): for level L and version
// v1.N, every pass/ file must be allowed and every fail/ file denied, as a Pod and as a Deployment.
const ORACLE = join(sharedDir(), 'oracles', 'pod-security');

interface Fixture {
  level: 'baseline' | 'restricted';
  version: string;
  expect: 'pass' | 'fail';
  file: string;
  pod: KubeObject;
}

function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const level of ['baseline', 'restricted'] as const) {
    for (const version of readdirSync(join(ORACLE, level))) {
      for (const expect of ['pass', 'fail'] as const) {
        const dir = join(ORACLE, level, version, expect);
        if (!existsSync(dir)) continue;
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
          fixtures.push({ level, version, expect, file, pod: parse(readFileSync(join(dir, file), 'utf8')) as KubeObject });
        }
      }
    }
  }
  return fixtures;
}

function asDeployment(pod: KubeObject): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'test' },
    spec: { selector: { matchLabels: { test: 'true' } }, template: { metadata: { ...pod.metadata, labels: { test: 'true' } }, spec: pod.spec } },
  };
}

// A restricted revision that replaces a baseline check reports in its place.
const REPLACED_AT_RESTRICTED: Record<string, string> = {
  hostpathvolumes: 'restrictedvolumes',
  capabilities_baseline: 'capabilities_restricted',
  seccompprofile_baseline: 'seccompprofile_restricted',
  procmount: 'procmount_restricted',
};

const newestVersion = (versions: string[]) => versions.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).at(-1)!;

test('every upstream Pod Security fixture is allowed or denied as upstream expects, as a Pod and in a Deployment', { skip: !existsSync(ORACLE) && `no oracle at ${ORACLE}` }, () => {
  const fixtures = loadFixtures();
  const mismatches: string[] = [];
  const counts = new Map<string, { pass: number; fail: number; agreed: number }>();
  for (const fixture of fixtures) {
    const key = fixture.level;
    const count = counts.get(key) ?? { pass: 0, fail: 0, agreed: 0 };
    count[fixture.expect]++;
    let agreed = true;
    for (const [shape, object] of [['Pod', fixture.pod], ['Deployment', asDeployment(fixture.pod)]] as const) {
      const specs = podSpecsOf(object);
      assert.equal(specs.length, 1, `${shape} of ${fixture.file} has one pod spec`);
      const result = evaluatePodSecurity(fixture.level, fixture.version, specs[0].metadata, specs[0].spec);
      const where = `${fixture.level}/${fixture.version}/${fixture.expect}/${fixture.file} as ${shape}`;
      if (result.allowed !== (fixture.expect === 'pass')) {
        agreed = false;
        mismatches.push(`${where}: ${result.allowed ? 'allowed' : JSON.stringify(result.forbidden)}`);
      } else if (fixture.expect === 'fail') {
        // Denied for the right reason: upstream names each fail fixture after the check it trips.
        const check = fixture.file.replace(/\d+\.yaml$/, '');
        const controls = result.forbidden.map((f) => f.control.toLowerCase());
        if (!controls.includes(check) && !controls.includes(REPLACED_AT_RESTRICTED[check])) {
          agreed = false;
          mismatches.push(`${where}: denied by ${controls.join(', ')}, not ${check}`);
        }
      }
    }
    if (agreed) count.agreed++;
    counts.set(key, count);
  }
  for (const [level, c] of counts) console.log(`pod security oracle ${level}: ${c.pass} pass + ${c.fail} fail fixtures, ${c.agreed} agreed`);
  assert.ok(fixtures.length > 4000, `expected the full oracle, found ${fixtures.length} fixtures`);
  assert.deepEqual(mismatches, []);
});

test('"latest" evaluates as the newest version the fixtures cover', { skip: !existsSync(ORACLE) }, () => {
  for (const level of ['baseline', 'restricted'] as const) {
    const newest = newestVersion(readdirSync(join(ORACLE, level)));
    for (const expect of ['pass', 'fail'] as const) {
      const dir = join(ORACLE, level, newest, expect);
      for (const file of readdirSync(dir)) {
        const pod = parse(readFileSync(join(dir, file), 'utf8')) as KubeObject;
        const result = evaluatePodSecurity(level, 'latest', pod.metadata, pod.spec as Record<string, unknown>);
        assert.equal(result.allowed, expect === 'pass', `${level}/latest/${expect}/${file}`);
      }
    }
  }
});
