import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { repoRoot, sharedDir } from '@flotilla/testing';
import { CLI_OWN_GRAPHQL } from '../../../cli/src/operations';
import { KNOWN_OPERATIONS, operationLabel } from './known-operations';

function graphqlFiles(dir: string): Array<[string, string]> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
}

test('every operation of the shared contract, the CLI and the dashboard is a known operation name', () => {
  const sources: Array<[string, string]> = [
    ...graphqlFiles(join(sharedDir(), 'contract/operations')),
    ...graphqlFiles(join(repoRoot(), 'apps/dashboard/src/operations')),
    ['CLI_OWN_GRAPHQL', CLI_OWN_GRAPHQL],
  ];
  const missing: string[] = [];
  for (const [file, source] of sources) {
    for (const def of parse(source).definitions) {
      if (def.kind === 'OperationDefinition' && def.name && !KNOWN_OPERATIONS.has(def.name.value)) missing.push(`${file}: ${def.name.value}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('an invented operation name is reported as other, a missing one as anonymous', () => {
  assert.equal(operationLabel('ClusterList'), 'ClusterList');
  assert.equal(operationLabel('Invented12345'), 'other');
  assert.equal(operationLabel(undefined), 'anonymous');
  assert.equal(operationLabel({ toString: () => 'x' }), 'anonymous');
});
