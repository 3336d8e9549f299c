import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepCluster, StepInput, decideCampaignStep } from './campaign-step';

const NOW = new Date('2026-12-02T06:00:00Z');

function c(name: string, waveIndex: number, over: Partial<StepCluster> = {}): StepCluster {
  return { clusterId: `id-${name}`, name, waveIndex, status: 'PENDING', upgrade: null, clusterStatus: 'CONNECTED', ...over };
}

function input(over: Partial<StepInput> = {}): StepInput {
  return {
    now: NOW,
    status: 'QUEUED',
    maxConcurrent: null,
    budget: { maxFailedClusters: null, maxFailedPercent: null },
    haltOnUnreachable: false,
    haltOnComplianceRegression: false,
    windowOpen: null,
    waves: [
      { index: 0, status: 'PENDING', soakMinutes: 1, requiresApproval: false, approved: false, soakEndsAt: null },
      { index: 1, status: 'PENDING', soakMinutes: 0, requiresApproval: true, approved: false, soakEndsAt: null },
    ],
    clusters: [c('a', 0), c('b', 1), c('c', 1)],
    compliance: null,
    minuteMs: 60_000,
    ...over,
  };
}

test('a queued campaign starts its first wave and the wave\'s clusters, no more than maxConcurrent', () => {
  const d = decideCampaignStep(input({ clusters: [c('a', 0), c('a2', 0), c('b', 1)], maxConcurrent: 1 }));
  assert.equal(d.status, 'RUNNING');
  assert.deepEqual(d.waves, [{ index: 0, status: 'RUNNING', started: true }]);
  assert.deepEqual(d.start, ['id-a']);
});

test('a wave whose clusters all ended soaks, then the next wave waits for its approval', () => {
  const running = input({ status: 'RUNNING', waves: [{ ...input().waves[0], status: 'RUNNING' }, input().waves[1]], clusters: [c('a', 0, { status: 'RUNNING', upgrade: { status: 'SUCCEEDED', phase: 'DONE', error: null } }), c('b', 1)] });
  const d = decideCampaignStep(running);
  assert.deepEqual(d.clusters, [{ clusterId: 'id-a', status: 'SUCCEEDED', reason: null }]);
  assert.equal(d.status, 'SOAKING');
  assert.equal(d.waves[0].soakEndsAt?.getTime(), NOW.getTime() + 60_000);
  const soaked = decideCampaignStep({
    ...running,
    now: new Date(NOW.getTime() + 61_000),
    waves: [{ ...running.waves[0], status: 'SOAKING', soakEndsAt: new Date(NOW.getTime() + 60_000) }, running.waves[1]],
    clusters: [c('a', 0, { status: 'SUCCEEDED' }), c('b', 1)],
  });
  assert.deepEqual(soaked.waves, [{ index: 0, status: 'SUCCEEDED', finished: true }]);
  assert.equal(soaked.again, true);
  const waiting = decideCampaignStep({ ...running, waves: [{ ...running.waves[0], status: 'SUCCEEDED' }, running.waves[1]], clusters: [c('a', 0, { status: 'SUCCEEDED' }), c('b', 1)] });
  assert.equal(waiting.status, 'WAITING_FOR_APPROVAL');
  assert.deepEqual(waiting.start, []);
  const approved = decideCampaignStep({ ...running, waves: [{ ...running.waves[0], status: 'SUCCEEDED' }, { ...running.waves[1], status: 'WAITING_FOR_APPROVAL', approved: true }], clusters: [c('a', 0, { status: 'SUCCEEDED' }), c('b', 1)] });
  assert.deepEqual(approved.start, ['id-b']);
});

test('the failure budget is over the campaign: the failure past it HALTS naming the clusters, and nothing more starts', () => {
  const base = input({ status: 'RUNNING', budget: { maxFailedClusters: 1, maxFailedPercent: null }, waves: [{ ...input().waves[0], status: 'RUNNING' }] });
  const one = decideCampaignStep({ ...base, clusters: [c('a', 0, { status: 'RUNNING', upgrade: { status: 'FAILED', phase: 'CONTROL_PLANE', error: 'boom' } }), c('b', 0)] });
  assert.equal(one.status, 'RUNNING');
  assert.deepEqual(one.start, ['id-b']);
  const two = decideCampaignStep({ ...base, clusters: [c('a', 0, { status: 'FAILED' }), c('b', 0, { status: 'RUNNING', upgrade: { status: 'FAILED', phase: 'WORKERS', error: 'boom' } }), c('z', 0)] });
  assert.equal(two.status, 'HALTED');
  assert.match(two.statusReason!, /failure budget spent: 2 of 3 clusters failed \(a, b\); the budget allows 1 failed cluster/);
  assert.deepEqual(two.start, []);
  assert.equal(two.done, true);
  const pct = decideCampaignStep({ ...base, budget: { maxFailedClusters: null, maxFailedPercent: 30 }, clusters: [c('a', 0, { status: 'FAILED' }), c('b', 0), c('d', 0)] });
  assert.equal(pct.status, 'HALTED');
});

test('a pre-flight refusal skips the cluster without spending the budget', () => {
  const d = decideCampaignStep(input({ status: 'RUNNING', budget: { maxFailedClusters: 0, maxFailedPercent: null }, waves: [{ ...input().waves[0], status: 'RUNNING' }], clusters: [c('a', 0, { status: 'RUNNING', upgrade: { status: 'FAILED', phase: 'PREFLIGHT', error: 'Pre-flight refused' } })] }));
  assert.deepEqual(d.clusters, [{ clusterId: 'id-a', status: 'SKIPPED', reason: 'Pre-flight refused' }]);
  assert.equal(d.status, 'SOAKING');
});

test('an unreachable campaign cluster halts when asked to; a closed window starts nothing but follows what runs', () => {
  const u = decideCampaignStep(input({ haltOnUnreachable: true, clusters: [c('a', 0), c('b', 1, { clusterStatus: 'UNREACHABLE' })] }));
  assert.equal(u.status, 'HALTED');
  assert.match(u.statusReason!, /UNREACHABLE: b/);
  const closed = decideCampaignStep(input({ windowOpen: false }));
  assert.equal(closed.status, 'WAITING_FOR_WINDOW');
  assert.deepEqual(closed.waves, []);
  const closing = decideCampaignStep(input({ status: 'RUNNING', windowOpen: false, waves: [{ ...input().waves[0], status: 'RUNNING' }], clusters: [c('a', 0, { status: 'RUNNING', upgrade: { status: 'RUNNING', phase: 'WORKERS', error: null } }), c('a2', 0)] }));
  assert.equal(closing.status, 'RUNNING');
  assert.deepEqual(closing.start, []);
});

test('paused and cancelled campaigns start nothing but still record the end of running upgrades', () => {
  const paused = decideCampaignStep(input({ status: 'PAUSED', waves: [{ ...input().waves[0], status: 'RUNNING' }], clusters: [c('a', 0, { status: 'RUNNING', upgrade: { status: 'SUCCEEDED', phase: 'DONE', error: null } }), c('a2', 0)] }));
  assert.equal(paused.status, 'PAUSED');
  assert.deepEqual(paused.start, []);
  assert.deepEqual(paused.clusters.map((x) => x.status), ['SUCCEEDED']);
  const cancelled = decideCampaignStep(input({ status: 'CANCELLED', clusters: [c('a', 0, { status: 'RUNNING', upgrade: { status: 'RUNNING', phase: 'WORKERS', error: null } })] }));
  assert.equal(cancelled.done, false);
});

test('a compliance regression found by the soak re-scan halts naming the clusters', () => {
  const base = input({ status: 'SOAKING', haltOnComplianceRegression: true, waves: [{ ...input().waves[0], status: 'SOAKING', soakEndsAt: NOW }], clusters: [c('a', 0, { status: 'SUCCEEDED' })] });
  assert.equal(decideCampaignStep({ ...base, compliance: 'pending' }).status, 'SOAKING');
  const d = decideCampaignStep({ ...base, compliance: { regressed: ['a'] } });
  assert.equal(d.status, 'HALTED');
  assert.match(d.statusReason!, /compliance regressed after wave 1: a compliant before the wave, non-compliant after it/);
  assert.equal(decideCampaignStep({ ...base, compliance: { regressed: [] } }).waves[0].status, 'SUCCEEDED');
});

test('the last wave ending makes the campaign SUCCEEDED', () => {
  const d = decideCampaignStep(input({ status: 'RUNNING', waves: [{ ...input().waves[0], status: 'SUCCEEDED' }], clusters: [c('a', 0, { status: 'SUCCEEDED' })] }));
  assert.equal(d.status, 'SUCCEEDED');
  assert.equal(d.done, true);
});
