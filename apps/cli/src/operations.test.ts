import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { sharedDir } from '../../../libs/testing/src';
import { CONTRACT_FILES, OperationName, operationText } from './operations';

const contractDir = join(sharedDir(), 'contract', 'operations');

test('the copied operation documents are the contract files, verbatim', { skip: !existsSync(contractDir) && `no contract at ${contractDir}` }, () => {
  for (const [name, text] of Object.entries(CONTRACT_FILES)) {
    assert.equal(text, readFileSync(join(contractDir, `${name}.graphql`), 'utf8'), `${name}.graphql drifted: copy it again`);
  }
});

test('each operation is sent on its own, exactly as the contract spells it', () => {
  const names: OperationName[] = ['AttachCluster', 'CliClusters', 'CliWhoAmI', 'ClusterList', 'ClusterGroups', 'DetachCluster', 'Policies', 'CreatePolicy', 'UpdatePolicy', 'RunComplianceScan', 'ScanDetail', 'ClusterListCompliance', 'ClusterUpgrades', 'StartUpgrade', 'InspectionDetail', 'RunInspection'];
  for (const name of names) {
    const text = operationText(name);
    const doc = parse(text);
    assert.equal(doc.definitions.length, 1, name);
    assert.ok(Object.values(CONTRACT_FILES).some((file) => file.includes(text)), `${name} is a verbatim slice`);
  }
  assert.match(operationText('CliWhoAmI'), /^query CliWhoAmI \{\n {2}viewer \{ role organization \{ id name \} \}\n\}$/);
});
