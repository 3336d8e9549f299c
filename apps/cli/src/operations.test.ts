import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { sharedDir } from '@flotilla/testing';
import { CLI_OWN_GRAPHQL, CONTRACT_FILES, OPERATION_NAMES, operationText } from './operations';

const contractDir = join(sharedDir(), 'contract', 'operations');

test('the copied operation documents are the contract files, verbatim', { skip: !existsSync(contractDir) && `no contract at ${contractDir}` }, () => {
  for (const [name, text] of Object.entries(CONTRACT_FILES)) {
    assert.equal(text, readFileSync(join(contractDir, `${name}.graphql`), 'utf8'), `${name}.graphql drifted: copy it again`);
  }
});

test('each operation is sent on its own, exactly as the contract spells it', () => {
  for (const name of OPERATION_NAMES) {
    const text = operationText(name);
    const doc = parse(text);
    assert.equal(doc.definitions.length, 1, name);
    assert.ok([...Object.values(CONTRACT_FILES), CLI_OWN_GRAPHQL].some((file) => file.includes(text)), `${name} is a verbatim slice`);
  }
  assert.match(operationText('CliWhoAmI'), /^query CliWhoAmI \{\n {2}viewer \{ role organization \{ id name \} \}\n\}$/);
});

test("the CLI's own operations do not shadow a contract operation (one name, one text)", () => {
  const contractNames = new Set(
    Object.values(CONTRACT_FILES).flatMap((f) => parse(f).definitions.flatMap((d) => (d.kind === 'OperationDefinition' && d.name ? [d.name.value] : []))),
  );
  for (const def of parse(CLI_OWN_GRAPHQL).definitions) {
    assert.ok(def.kind === 'OperationDefinition' && def.name && !contractNames.has(def.name.value), `${def.kind === 'OperationDefinition' ? def.name?.value : def.kind} is also in the contract`);
  }
});
