import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessRollout, RolloutObservation, rolloutTimeout } from './rollout-assessment';

const OLD = 'v1.30.4+vmware.1';
const NEW = 'v1.30.5+vmware.1';

function obs(kubelets: { cp: string[]; workers: string[] }, over: Partial<RolloutObservation> = {}): RolloutObservation {
  return {
    targetVersion: 'v1.30.5---vmware.1-tkg.1',
    controlPlaneVersion: NEW,
    nodes: [
      ...kubelets.cp.map((v, i) => ({ name: `cp-${i + 1}`, controlPlane: true, ready: true, kubeletVersion: v })),
      ...kubelets.workers.map((v, i) => ({ name: `w-${i + 1}`, controlPlane: false, ready: true, kubeletVersion: v })),
    ],
    ...over,
  };
}

test('while the API server is still old the rollout is in CONTROL_PLANE', () => {
  const a = assessRollout(obs({ cp: [OLD], workers: [OLD, OLD] }, { controlPlaneVersion: OLD }));
  assert.deepEqual(a, { phase: 'CONTROL_PLANE', done: false, progress: `API server at ${OLD}, 0/1 control-plane nodes at v1.30.5` });
});

test('the control plane is done only when its nodes run the target kubelet too', () => {
  assert.equal(assessRollout(obs({ cp: [NEW, OLD, OLD], workers: [OLD] })).progress, `API server at ${NEW}, 1/3 control-plane nodes at v1.30.5`);
});

test('workers roll after the control plane, counted against the target', () => {
  const a = assessRollout(obs({ cp: [NEW], workers: [NEW, NEW, OLD, OLD, OLD] }));
  assert.deepEqual(a, { phase: 'WORKERS', done: false, progress: '2/5 workers at v1.30.5' });
});

test('all nodes at the target but one NotReady is VERIFYING, naming it', () => {
  const o = obs({ cp: [NEW], workers: [NEW, NEW] });
  o.nodes[2]!.ready = false;
  assert.deepEqual(assessRollout(o), { phase: 'VERIFYING', done: false, progress: 'all 3 nodes at v1.30.5; not Ready yet: w-2' });
});

test('every node at the target and Ready is DONE', () => {
  assert.deepEqual(assessRollout(obs({ cp: [NEW], workers: [NEW, NEW] })), { phase: 'DONE', done: true, progress: 'all 3 nodes at v1.30.5 and Ready' });
});

test('a managed control plane with no visible nodes is judged by the API server version', () => {
  const o = obs({ cp: [], workers: [OLD] }, { targetVersion: 'v1.31.2-eks-abc1234', controlPlaneVersion: 'v1.31.2-eks-abc1234' });
  assert.deepEqual(assessRollout(o), { phase: 'WORKERS', done: false, progress: '0/1 workers at v1.31.2' });
});

test('a Cluster condition reporting a failure fails the rollout with its reason', () => {
  const a = assessRollout(
    obs({ cp: [NEW], workers: [OLD] }, {
      clusterConditions: [
        { type: 'ControlPlaneReady', status: 'True' },
        { type: 'Ready', status: 'False', reason: 'MachineDeploymentUpgradeFailed', message: 'machine w-1 failed to drain' },
      ],
    }),
  );
  assert.equal(a.phase, 'WORKERS');
  assert.equal(a.done, false);
  assert.equal(a.failed, 'Cluster condition Ready is False (MachineDeploymentUpgradeFailed: machine w-1 failed to drain)');
});

test('a condition that is merely not ready yet is not a failure', () => {
  const a = assessRollout(obs({ cp: [NEW], workers: [OLD] }, { clusterConditions: [{ type: 'Ready', status: 'False', reason: 'RollingUpdateInProgress' }] }));
  assert.equal(a.failed, undefined);
});

test('no nodes reported yet is not progress', () => {
  assert.deepEqual(assessRollout({ targetVersion: 'v1.30.5', nodes: [] }), { phase: 'CONTROL_PLANE', done: false, progress: 'no nodes reported yet' });
});

test('a rollout past its deadline or stalled fails with what it was waiting for', () => {
  const base = { startedAt: 0, lastProgressAt: 0, deadlineMs: 3_600_000, stallMs: 900_000, progress: '2/5 workers at v1.30.5' };
  assert.equal(rolloutTimeout({ ...base, now: 600_000 }), undefined);
  assert.equal(rolloutTimeout({ ...base, now: 1_000_000 }), 'the rollout made no progress for 15 minutes (stuck at: 2/5 workers at v1.30.5)');
  assert.equal(rolloutTimeout({ ...base, lastProgressAt: 3_500_000, now: 3_700_000 }), 'the rollout did not finish within 60 minutes (last: 2/5 workers at v1.30.5)');
});
