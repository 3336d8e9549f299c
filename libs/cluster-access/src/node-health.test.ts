import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessNodes, statusFromNodes } from './node-health';

const node = (name: string, ready?: string) => ({
  metadata: { name },
  status: { conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready }] },
});

test('a cluster whose nodes are all Ready is CONNECTED', () => {
  const h = assessNodes([node('a', 'True'), node('b', 'True')]);
  assert.deepEqual(statusFromNodes(h), { status: 'CONNECTED', reason: null });
});

test('NotReady, Unknown and condition-less nodes degrade the cluster, and are named', () => {
  const h = assessNodes([node('a', 'True'), node('b', 'False'), node('c', 'Unknown'), node('d')]);
  assert.equal(h.readyNodeCount, 1);
  const s = statusFromNodes(h);
  assert.equal(s.status, 'DEGRADED');
  assert.equal(s.reason, '3 of 4 nodes not Ready: b, c, d');
});
