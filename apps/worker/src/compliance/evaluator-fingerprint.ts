import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

let fingerprint: string | undefined;

/**
 * The policy evaluator's identity: a digest of the compiled policy library and the CEL runtime's
 * version. A verdict carried over from an earlier scan names it, so a release that changes how any
 * policy is judged re-evaluates every cluster at its next scan rather than keeping old verdicts.
 */
export function evaluatorFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    // The build mirrors the repository: dist/apps/worker/src/compliance → dist/libs/policy/src.
    const root = join(__dirname, '../../../../libs/policy/src');
    for (const file of sourceFiles(root)) hash.update(file.slice(root.length)).update(readFileSync(file));
    hash.update(packageJsonOf('@bufbuild/cel'));
    fingerprint = hash.digest('base64url');
  }
  return fingerprint;
}

/** A package's own package.json, found above its entry point (its exports hide the file itself). */
function packageJsonOf(name: string): Buffer {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === name) return readFileSync(candidate);
  }
  throw new Error(`no package.json of ${name} found`);
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.js') && !entry.name.endsWith('.test.js')) files.push(path);
  }
  return files;
}
