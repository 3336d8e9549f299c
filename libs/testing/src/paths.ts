import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder above this file that holds package.json (works from src and dist). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return dir;
}

/** `../shared` beside the repository (contract, oracles); FLOTILLA_SHARED_DIR overrides. */
export function sharedDir(): string {
  return process.env.FLOTILLA_SHARED_DIR ?? resolve(repoRoot(), '..', 'shared');
}
