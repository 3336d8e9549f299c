import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetMix } from './index';
import { type Level, highestLevel } from './pod-security.checker';
import { CORE_NAMESPACES, PROVIDER_NAMESPACES } from './namespace.generator';
import { BASELINE_PROFILES, PRIVILEGED_PROFILES, type SecurityProfile, levelOf, securityShape } from './security-profile';
import { generateFleet, ofKind } from './generation.test-helper';

function podSpecFor(profile: SecurityProfile): Record<string, unknown> {
  const shape = securityShape(profile, 1001);
  return {
    containers: [{ name: 'c', image: 'registry.example.com/x:1', securityContext: shape.container, volumeMounts: shape.mounts }],
    securityContext: shape.pod,
    ...shape.podFields,
    volumes: [...shape.volumes, { name: 'kube-api-access', projected: { sources: [] } }],
  };
}

test('each security profile meets exactly the Pod Security level it claims', () => {
  for (const profile of ['restricted', ...BASELINE_PROFILES, ...PRIVILEGED_PROFILES] as SecurityProfile[]) {
    assert.equal(highestLevel(podSpecFor(profile)), levelOf(profile), profile);
  }
});

test('a 50-cluster fleet has restricted, baseline-only and violating pods in app namespaces', () => {
  const fleet = generateFleet(fleetMix(50, 1), 1);
  const counts: Record<Level, number> = { restricted: 0, baseline: 0, privileged: 0 };
  const clustersWith: Record<Level, number> = { restricted: 0, baseline: 0, privileged: 0 };
  const system = new Set([...CORE_NAMESPACES, ...Object.values(PROVIDER_NAMESPACES).flat()]);
  for (const g of fleet) {
    const seen = new Set<Level>();
    for (const pod of ofKind(g, 'Pod')) {
      if (system.has(pod.metadata.namespace ?? '')) continue;
      const level = highestLevel(pod.spec as Record<string, unknown>);
      counts[level]++;
      seen.add(level);
    }
    for (const l of seen) clustersWith[l]++;
  }
  for (const level of ['restricted', 'baseline', 'privileged'] as const) {
    assert.ok(counts[level] >= 50, `${level} pods: ${counts[level]}`);
    assert.ok(clustersWith[level] >= 10, `clusters with ${level} pods: ${clustersWith[level]}`);
  }
  // The mix checks concrete fields, not just labels: privileged containers, host namespaces, hostPath, added capabilities, root.
  const specs = fleet.flatMap((g) => ofKind(g, 'Pod')).filter((p) => !system.has(p.metadata.namespace ?? '')).map((p) => p.spec as Record<string, any>);
  assert.ok(specs.some((s) => s.containers.some((c: any) => c.securityContext?.privileged === true)));
  assert.ok(specs.some((s) => s.hostNetwork === true));
  assert.ok(specs.some((s) => s.hostPID === true));
  assert.ok(specs.some((s) => (s.volumes ?? []).some((v: any) => v.hostPath)));
  assert.ok(specs.some((s) => s.containers.some((c: any) => c.securityContext?.capabilities?.add?.includes('NET_ADMIN'))));
  assert.ok(specs.some((s) => s.containers.some((c: any) => c.securityContext?.capabilities?.add?.includes('SYS_ADMIN'))));
  assert.ok(specs.some((s) => s.securityContext?.runAsUser === 0));
});

test('pods in a namespace that enforces a Pod Security level meet it (admission would have refused them)', () => {
  const rank: Record<Level, number> = { privileged: 0, baseline: 1, restricted: 2 };
  let checked = 0;
  for (const g of generateFleet(fleetMix(40, 2), 2)) {
    const enforce = new Map(ofKind(g, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels?.['pod-security.kubernetes.io/enforce'] as Level | undefined]));
    for (const pod of ofKind(g, 'Pod')) {
      const required = enforce.get(pod.metadata.namespace ?? '');
      if (!required) continue;
      assert.ok(rank[highestLevel(pod.spec as Record<string, unknown>)] >= rank[required], `${g.spec.name} ${pod.metadata.namespace}/${pod.metadata.name} vs ${required}`);
      checked++;
    }
  }
  assert.ok(checked > 50, `checked ${checked}`);
});

test('namespaces differ in owner/team and Pod Security labels', () => {
  const namespaces = generateFleet(fleetMix(30, 3), 3).flatMap((g) => ofKind(g, 'Namespace'));
  const apps = namespaces.filter((n) => !n.metadata.name.startsWith('kube-') && n.metadata.name !== 'default');
  assert.ok(apps.some((n) => n.metadata.labels?.owner));
  assert.ok(apps.some((n) => n.metadata.labels?.team && !n.metadata.labels?.owner));
  assert.ok(apps.some((n) => !n.metadata.labels?.team && !n.metadata.labels?.owner));
  for (const level of ['restricted', 'baseline', 'privileged']) assert.ok(apps.some((n) => n.metadata.labels?.['pod-security.kubernetes.io/enforce'] === level), level);
});
