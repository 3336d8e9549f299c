import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { baselineViolations, restrictedViolations } from './pod-security.checker';

// The repository sits beside the shared oracles (../shared from the repo root).
const FIXTURES = resolve(__dirname, '../../../../../../shared/oracles/pod-security');
const COVERED = ['privileged', 'hostnamespaces', 'hostpathvolumes', 'hostports', 'capabilities_baseline', 'seccompprofile_baseline',
  'restrictedvolumes', 'allowprivilegeescalation', 'runasnonroot', 'runasuser', 'seccompprofile_restricted', 'capabilities_restricted'];

function fixtures(level: string, outcome: 'pass' | 'fail'): Array<{ name: string; spec: Record<string, unknown> }> {
  const dir = join(FIXTURES, level, 'v1.30', outcome);
  return readdirSync(dir).map((file) => ({ name: file, spec: (parse(readFileSync(join(dir, file), 'utf8')) as { spec: Record<string, unknown> }).spec }));
}

test('the oracle fixtures are where the tests expect them', () => {
  assert.ok(existsSync(FIXTURES), `missing ${FIXTURES}`);
});

test('the test checker accepts every upstream passing pod and rejects every failing pod of the checks it covers', () => {
  for (const level of ['baseline', 'restricted'] as const) {
    const violations = (spec: Record<string, unknown>) => [...baselineViolations(spec), ...(level === 'restricted' ? restrictedViolations(spec) : [])];
    for (const f of fixtures(level, 'pass')) assert.deepEqual(violations(f.spec), [], `${level} pass/${f.name}`);
    let checked = 0;
    for (const f of fixtures(level, 'fail')) {
      if (!COVERED.some((prefix) => f.name.replace(/\d+\.yaml$/, '') === prefix)) continue;
      assert.ok(violations(f.spec).length > 0, `${level} fail/${f.name} should fail`);
      checked++;
    }
    assert.ok(checked >= (level === 'restricted' ? 50 : 15), `${level}: ${checked} failing fixtures checked`);
  }
});
