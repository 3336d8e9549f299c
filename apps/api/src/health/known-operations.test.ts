import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { sharedDir } from '@flotilla/testing';
import { KNOWN_OPERATIONS, operationLabel } from './known-operations';

test('every operation of the shared contract is a known operation name', () => {
  const dir = join(sharedDir(), 'contract/operations');
  const missing: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.graphql'))) {
    for (const def of parse(readFileSync(join(dir, file), 'utf8')).definitions) {
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
