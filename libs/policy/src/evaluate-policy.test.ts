import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, snapshotKindsFor } from './evaluate-policy';
import type { KubeObject } from './kube-object';
import { PolicySpecError } from './policy-spec.errors';
import type { ClusterSnapshot, PolicyDefinition } from './policy.types';
import { deployment, namespace, pod, policy, restrictedContainer } from './testing/snapshot.builders';

const ALL_SIX: PolicyDefinition[] = [
  policy('ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'devs' }], namespaces: ['ns-1'] }] }, 'AUDIT', 'access'),
  policy('NETWORK', { defaultDeny: 'all' }, 'AUDIT', 'network'),
  policy('QUOTA', { hard: { 'requests.cpu': '4', 'limits.memory': '8Gi' } }, 'AUDIT', 'quota'),
  policy('IMAGE_REGISTRY', { allowedRegistries: ['registry.example.com'] }, 'AUDIT', 'images'),
  policy('SECURITY', { level: 'restricted' }, 'AUDIT', 'security'),
  policy('LABELS', { kinds: ['Namespace', 'Deployment'], required: ['owner'] }, 'AUDIT', 'labels'),
];

test('snapshotKindsFor lists only what the given policies read, in a stable order', () => {
  assert.deepEqual(snapshotKindsFor([policy('NETWORK', { defaultDeny: 'ingress' })]), ['Namespace', 'NetworkPolicy']);
  assert.deepEqual(snapshotKindsFor([policy('LABELS', { kinds: ['ConfigMap', 'Service'], required: ['owner'] })]), ['Service', 'ConfigMap']);
  assert.deepEqual(snapshotKindsFor([policy('ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'User', name: 'a' }] }] })]), ['ClusterRoleBinding', 'ClusterRole']);
  assert.deepEqual(snapshotKindsFor([]), []);
  assert.deepEqual(snapshotKindsFor(ALL_SIX), [
    'Namespace',
    'Pod',
    'Deployment',
    'StatefulSet',
    'DaemonSet',
    'ReplicaSet',
    'Job',
    'CronJob',
    'NetworkPolicy',
    'ResourceQuota',
    'RoleBinding',
    'ClusterRole',
  ]);
});

test('evaluating a policy on a snapshot that lacks a kind it needs is an error, not a false violation', () => {
  assert.throws(() => evaluatePolicy(policy('NETWORK', { defaultDeny: 'ingress' }), { Namespace: [] }), /no NetworkPolicy list/);
});

test('a policy with an invalid spec is refused with the offending path', () => {
  assert.throws(() => evaluatePolicy(policy('QUOTA', { hard: { cpu: 'lots' } }), {}), (e: unknown) => e instanceof PolicySpecError && /spec\.hard\.cpu/.test(e.message));
});

/** ~500 objects: 50 namespaces, each with 4 pods, 2 deployments, a quota, a policy and a binding. */
function bigSnapshot(): ClusterSnapshot {
  const snapshot: Required<Pick<ClusterSnapshot, 'Namespace' | 'Pod' | 'Deployment' | 'NetworkPolicy' | 'ResourceQuota' | 'RoleBinding' | 'ClusterRole'>> & ClusterSnapshot = {
    Namespace: [],
    Pod: [],
    Deployment: [],
    StatefulSet: [],
    DaemonSet: [],
    ReplicaSet: [],
    Job: [],
    CronJob: [],
    NetworkPolicy: [],
    ResourceQuota: [],
    RoleBinding: [],
    ClusterRole: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view' } }],
  };
  for (let n = 0; n < 50; n++) {
    const ns = `ns-${n}`;
    snapshot.Namespace.push(namespace(ns, n % 2 ? { owner: 'x' } : {}));
    for (let p = 0; p < 4; p++) {
      const spec = p % 2 ? { containers: [restrictedContainer('app')] } : { containers: [{ name: 'app', image: `nginx:${p}`, securityContext: { privileged: p === 0 } }] };
      snapshot.Pod.push(pod(ns, `pod-${p}`, spec));
    }
    snapshot.Deployment.push(deployment(ns, 'web', { containers: [restrictedContainer('web')] }), deployment(ns, 'api', { containers: [{ name: 'api', image: 'ghcr.io/x/api' }] }));
    snapshot.ResourceQuota.push({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: ns }, spec: { hard: { 'requests.cpu': `${n % 8}`, 'limits.memory': '8Gi' } } } as KubeObject);
    snapshot.NetworkPolicy.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: ns }, spec: { podSelector: {}, policyTypes: n % 3 ? ['Ingress'] : ['Ingress', 'Egress'] } });
    snapshot.RoleBinding.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: ns }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [] });
  }
  return snapshot;
}

test('evaluation is deterministic: the same snapshot in any order gives the same sorted violations', () => {
  const snapshot = bigSnapshot();
  const shuffled: ClusterSnapshot = Object.fromEntries(Object.entries(snapshot).map(([k, v]) => [k, [...v!].reverse()]));
  for (const p of ALL_SIX) assert.deepEqual(evaluatePolicy(p, shuffled), evaluatePolicy(p, snapshot), p.type);
});

test('six policies over a ~500-object snapshot evaluate in well under 5 ms', () => {
  const snapshot = bigSnapshot();
  const objects = Object.values(snapshot).reduce((n, list) => n + (list?.length ?? 0), 0);
  assert.ok(objects >= 500, `snapshot has ${objects} objects`);
  // A worker evaluates many clusters, so measure warm (after JIT and the spec cache), in CPU time,
  // and keep the best of several batches: on a shared 2-core machine other processes' load would
  // otherwise be measured too.
  for (let i = 0; i < 30; i++) for (const p of ALL_SIX) evaluatePolicy(p, snapshot);
  let perSnapshotMs = Infinity;
  let violations = 0;
  for (let batch = 0; batch < 7; batch++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < 10; i++) {
      violations = 0;
      for (const p of ALL_SIX) violations += evaluatePolicy(p, snapshot).violations.length;
    }
    const used = process.cpuUsage(cpu);
    perSnapshotMs = Math.min(perSnapshotMs, (used.user + used.system) / 1000 / 10);
  }
  console.log(`6 policies × ${objects} objects: ${perSnapshotMs.toFixed(3)} ms CPU per snapshot (${violations} violations)`);
  assert.ok(violations > 0);
  assert.ok(perSnapshotMs < 5, `took ${perSnapshotMs} ms`);
});
