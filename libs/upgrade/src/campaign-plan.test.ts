import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CampaignCandidate, CampaignPlanError, planCampaign } from './campaign-plan';
import { REGISTRY_REFUSALS, upgradeBlockers } from './upgrade-eligibility';

const OFFERED = ['v1.30.4+vmware.1', 'v1.30.8+vmware.1', 'v1.31.4+vmware.1', 'v1.32.0+vmware.1'];

function cluster(name: string, over: Partial<CampaignCandidate> = {}): CampaignCandidate {
  return {
    id: `id-${name}`,
    name,
    apiServerUrl: `https://${name}.invalid`,
    status: 'CONNECTED',
    kubernetesVersion: 'v1.30.4+vmware.1',
    nodeCount: 3,
    readyNodeCount: 3,
    managed: true,
    managerAttached: true,
    offeredVersions: OFFERED,
    removedApisInUse: [],
    upgradeInProgress: false,
    ...over,
  };
}

const fleet = (n: number) => Array.from({ length: n }, (_, i) => cluster(`tkg-${String(i + 1).padStart(2, '0')}`));

test('by default a campaign has one canary, then 10 % (rounded up), then the rest, ordered by name', () => {
  const plan = planCampaign({ targetVersion: 'v1.31.4+vmware.1', clusters: fleet(12).reverse() });
  assert.deepEqual(
    plan.waves.map((w) => [w.name, w.clusterIds.length]),
    [['canary', 1], ['10 percent', 2], ['rest', 9]],
  );
  assert.deepEqual(plan.waves[0].clusterIds, ['id-tkg-01']);
  assert.equal(plan.waves[0].soakMinutes, 10);
  assert.deepEqual(plan.excluded, []);
});

test('given counts and percentages are kept; clusters left over go to a last "rest" wave; empty waves are dropped', () => {
  const plan = planCampaign({ targetVersion: 'v1.31.4+vmware.1', clusters: fleet(5), waves: [{ clusterCount: 1, soakMinutes: 0 }, { clusterPercent: 40, requiresApproval: true }] });
  assert.deepEqual(plan.waves.map((w) => w.clusterIds.length), [1, 2, 2]);
  assert.deepEqual(plan.waves.map((w) => w.name), ['wave 1', 'wave 2', 'rest']);
  assert.equal(plan.waves[1].requiresApproval, true);
  const small = planCampaign({ targetVersion: 'v1.31.4+vmware.1', clusters: fleet(1) });
  assert.deepEqual(small.waves.map((w) => w.name), ['canary']);
});

test('every exclusion carries its reason: not managed, skew, not offered, removed APIs, not healthy, already at or past target, another campaign', () => {
  const plan = planCampaign({
    targetVersion: 'v1.31.4+vmware.1',
    clusters: [
      cluster('a-eks', { managed: false }),
      cluster('b-old', { kubernetesVersion: 'v1.29.2+vmware.1' }),
      cluster('c-unoffered', { offeredVersions: ['v1.30.8+vmware.1'] }),
      cluster('d-removed', { removedApisInUse: ['flowcontrol.apiserver.k8s.io/v1beta3 flowschemas'] }),
      cluster('e-degraded', { status: 'DEGRADED', readyNodeCount: 2 }),
      cluster('f-there', { kubernetesVersion: 'v1.31.4+vmware.1' }),
      cluster('g-past', { kubernetesVersion: 'v1.32.0+vmware.1' }),
      cluster('h-busy', { activeCampaign: 'spring-rollout' }),
      cluster('i-ok'),
    ],
  });
  const reasons = Object.fromEntries(plan.excluded.map((e) => [e.clusterId, e.reason]));
  assert.match(reasons['id-a-eks'], /not managed by Cluster API/);
  assert.match(reasons['id-b-old'], /skips minor version 1\.30/);
  assert.match(reasons['id-c-unoffered'], /v1\.31\.4\+vmware\.1 is not offered by its management cluster/);
  assert.match(reasons['id-d-removed'], /still requests APIs .* flowschemas/);
  assert.match(reasons['id-e-degraded'], /not healthy \(DEGRADED, 2\/3 nodes Ready\)/);
  assert.match(reasons['id-f-there'], /already at v1\.31\.4\+vmware\.1/);
  assert.match(reasons['id-g-past'], /already at v1\.32\.0\+vmware\.1, at or past/);
  assert.match(reasons['id-h-busy'], /already in running campaign spring-rollout/);
  assert.equal(plan.excluded.length, 8);
  assert.deepEqual(plan.waves.flatMap((w) => w.clusterIds), ['id-i-ok']);
});

test('startUpgrade refuses at once only what the worker cannot judge live; the words are the planner\'s', () => {
  const [b] = upgradeBlockers(cluster('x', { managed: false }), 'v1.31.4');
  assert.ok(REGISTRY_REFUSALS.has(b.kind));
  const skew = upgradeBlockers(cluster('y', { kubernetesVersion: 'v1.29.0' }), 'v1.31.4+vmware.1');
  assert.deepEqual(skew.map((x) => x.kind), ['SKEW']);
  assert.ok(!REGISTRY_REFUSALS.has('SKEW'));
});

test('a wave specification that cannot be planned names the field', () => {
  assert.throws(() => planCampaign({ targetVersion: 'v1.31.4', clusters: [], waves: [{ clusterCount: 1, clusterPercent: 5 }] }), (e: CampaignPlanError) => e.field === 'input.waves[0].clusterCount');
  assert.throws(() => planCampaign({ targetVersion: 'v1.31.4', clusters: [], waves: [{}, { clusterCount: 2 }] }), (e: CampaignPlanError) => e.field === 'input.waves[0].clusterCount');
  assert.throws(() => planCampaign({ targetVersion: 'v1.31.4', clusters: [], waves: [{ clusterPercent: 101 }] }), (e: CampaignPlanError) => e.field === 'input.waves[0].clusterPercent');
  assert.throws(() => planCampaign({ targetVersion: 'v1.31.4', clusters: [], waves: [{ soakMinutes: -1 }] }), (e: CampaignPlanError) => e.field === 'input.waves[0].soakMinutes');
});
