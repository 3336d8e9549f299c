// Regenerates removed-apis.data.ts from the shared oracles (run after the oracle files change).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@flotilla/testing/paths';
import { deriveFromOracles } from './deprecated-api-oracles.loader';
import { renderRemovedApiData } from './removed-apis.derivation';

const derivation = deriveFromOracles();
const target = join(repoRoot(), 'libs', 'upgrade', 'src', 'removed-apis.data.ts');
writeFileSync(target, renderRemovedApiData(derivation));
console.log(`wrote ${derivation.table.length} rows to ${target}`);
