import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetMix } from './index';
import { CLOUD_REGIONS, VSPHERE_CLUSTERS_PER_SUPERVISOR } from './fleet-mix';

test('the same count and seed give the same fleet; another seed gives another', () => {
  assert.deepEqual(fleetMix(50, 7), fleetMix(50, 7));
  assert.notDeepEqual(fleetMix(50, 7), fleetMix(50, 8));
});

test('cluster names are unique and valid DNS labels, even in a large fleet', () => {
  const specs = fleetMix(2_000, 3);
  assert.equal(new Set(specs.map((s) => s.name)).size, specs.length);
  for (const s of specs) assert.match(s.name, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, s.name);
});

test('one cluster is a single generic cluster; two are a Supervisor and the vSphere cluster it manages', () => {
  const one = fleetMix(1, 1);
  assert.equal(one.length, 1);
  assert.equal(one[0].flavor, 'generic');
  const two = fleetMix(2, 1);
  assert.deepEqual(two.map((s) => s.flavor), ['management', 'vsphere']);
  assert.equal(two[1].managedBy, two[0].name);
});

test('every vSphere workload cluster is managed by a management cluster of the fleet, at most 200 each', () => {
  for (const n of [2, 20, 100, 1_500]) {
    const specs = fleetMix(n, 11);
    const managers = new Set(specs.filter((s) => s.flavor === 'management').map((s) => s.name));
    assert.ok(managers.size >= 1, `N=${n} has a management cluster`);
    const load = new Map<string, number>();
    for (const s of specs.filter((x) => x.flavor === 'vsphere')) {
      assert.ok(s.managedBy && managers.has(s.managedBy), `${s.name} managed by ${s.managedBy}`);
      load.set(s.managedBy, (load.get(s.managedBy) ?? 0) + 1);
    }
    for (const count of load.values()) assert.ok(count <= VSPHERE_CLUSTERS_PER_SUPERVISOR);
    if (n === 1_500) assert.ok(managers.size >= 3, 'a large fleet has several Supervisors');
  }
});

test('the first k clusters of a larger fleet are the fleet of k (prefix stability)', () => {
  const big = fleetMix(1_500, 5);
  // 1,000 crosses the 200-cluster boundary where a second Supervisor is inserted.
  for (const k of [2, 3, 10, 57, 400, 1_000]) assert.deepEqual(fleetMix(k, 5), big.slice(0, k));
  assert.ok(big.slice(0, 1_000).filter((s) => s.flavor === 'management').length >= 2);
});

test('the mix is mostly vSphere and includes every flavor', () => {
  const specs = fleetMix(200, 2);
  const counts = new Map<string, number>();
  for (const s of specs) counts.set(s.flavor, (counts.get(s.flavor) ?? 0) + 1);
  for (const flavor of ['vsphere', 'eks', 'gke', 'aks', 'generic', 'management']) assert.ok(counts.get(flavor), `has ${flavor}`);
  assert.ok((counts.get('vsphere') ?? 0) > specs.length * 0.35);
});

test('versions are spelled the provider way and spread over several minors', () => {
  const specs = fleetMix(300, 4);
  const formats: Record<string, RegExp> = {
    vsphere: /^v1\.\d+\.\d+\+vmware\.\d+$/,
    management: /^v1\.\d+\.\d+\+vmware\.\d+$/,
    eks: /^v1\.\d+\.\d+-eks-[0-9a-f]{7}$/,
    gke: /^v1\.\d+\.\d+-gke\.\d+$/,
    aks: /^v1\.\d+\.\d+$/,
    generic: /^v1\.\d+\.\d+$/,
  };
  const minors = new Set<string>();
  for (const s of specs) {
    assert.match(s.version ?? '', formats[s.flavor], `${s.name} ${s.version}`);
    minors.add(/^v1\.(\d+)/.exec(s.version ?? '')?.[1] ?? '');
  }
  assert.ok(minors.size >= 3, `minors: ${[...minors].join(',')}`);
});

test('worker counts are 3 to 12', () => {
  for (const s of fleetMix(300, 9)) assert.ok(s.nodes !== undefined && s.nodes >= 3 && s.nodes <= 12, `${s.name}: ${s.nodes}`);
});

test('names and regions follow each provider\'s conventions', () => {
  for (const s of fleetMix(400, 6)) {
    if (s.flavor === 'vsphere') assert.match(s.name, /^tkg-(prod|staging|dev|qa)-\d{2,}$/);
    if (s.flavor === 'management') assert.match(s.name, /^supervisor-\d{2,}$/);
    if (s.flavor === 'generic') assert.match(s.name, /^k8s-(lab|edge|onprem|ci)-\d{2,}$/);
    if (s.flavor === 'eks' || s.flavor === 'gke' || s.flavor === 'aks') {
      assert.ok(CLOUD_REGIONS[s.flavor].includes(s.region ?? ''), `${s.name} region ${s.region}`);
      assert.ok(s.name.startsWith(`${s.flavor}-`) && s.name.includes(s.region ?? '?'), s.name);
    }
  }
});
