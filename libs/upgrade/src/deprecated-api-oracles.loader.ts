// Test and generator support only (not exported from index): reads the shared oracle files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '@flotilla/testing/paths';
import { deriveRemovedApiTable, LifecycleRow, RemovedApiDerivation } from './removed-apis.derivation';

export function oracleDir(): string {
  return join(sharedDir(), 'oracles', 'deprecated-apis');
}

export function loadLifecycleRows(): LifecycleRow[] {
  return JSON.parse(readFileSync(join(oracleDir(), 'k8s-api-prerelease-lifecycle', 'lifecycle.json'), 'utf8')) as LifecycleRow[];
}

export function loadPlutoYaml(): string {
  return readFileSync(join(oracleDir(), 'pluto', 'versions.yaml'), 'utf8');
}

export function deriveFromOracles(): RemovedApiDerivation {
  return deriveRemovedApiTable(loadLifecycleRows(), loadPlutoYaml());
}

export function kubeNoTroubleFixture(name: string): string {
  return readFileSync(join(oracleDir(), 'kube-no-trouble-fixtures', name), 'utf8');
}
