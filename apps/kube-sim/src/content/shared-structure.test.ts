import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetMix } from './index';
import { generateFleet } from './generation.test-helper';

// The server stores generated objects as they are and may edit them in place: no array or object
// may be reachable from two places (within a cluster, across clusters, or from module constants).
function collect(value: unknown, path: string, seen: Map<object, string>, shared: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const first = seen.get(value);
  if (first !== undefined) {
    if (shared.length < 20) shared.push(`${path} is also ${first}`);
    return;
  }
  seen.set(value, path);
  if (Array.isArray(value)) value.forEach((v, i) => collect(v, `${path}[${i}]`, seen, shared));
  else for (const [k, v] of Object.entries(value)) collect(v, `${path}.${k}`, seen, shared);
}

test('no two places in generated output share a mutable object', () => {
  const seen = new Map<object, string>();
  const shared: string[] = [];
  for (const g of generateFleet(fleetMix(12, 1), 1)) {
    g.objects.forEach((o) => collect(o, `${g.spec.name}:${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, seen, shared));
    collect(g.deprecatedApiUse, `${g.spec.name}:deprecatedApiUse`, seen, shared);
  }
  assert.deepEqual(shared, []);
});
