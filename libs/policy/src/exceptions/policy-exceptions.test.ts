import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Violation } from '../policy.types';
import { type ExceptionRule, exemptFromPlan, expiringExceptions, partitionViolations } from './policy-exceptions';

const AT = new Date('2026-06-01T12:00:00Z');
const SCOPE = { policyId: 'p1', clusterId: 'c1', groupId: 'g1', at: AT };
const rule = (over: Partial<ExceptionRule>): ExceptionRule => ({
  id: 'e1',
  policyId: 'p1',
  clusterId: null,
  groupId: null,
  namespace: null,
  kind: null,
  name: null,
  expiresAt: new Date('2026-07-01T00:00:00Z'),
  ...over,
});
const V: Violation[] = [
  { kind: 'Namespace', name: 'team-b', message: 'no default deny' },
  { kind: 'Pod', namespace: 'team-b', name: 'priv', message: 'privileged' },
  { kind: 'Pod', namespace: 'team-a', name: 'web', message: 'privileged' },
  { kind: 'ClusterRoleBinding', name: 'sre', message: 'missing' },
];
const refs = (vs: Violation[]) => vs.map((v) => `${v.kind}/${v.namespace ?? ''}/${v.name}`);

describe('matching violations to exceptions', () => {
  test('a namespace exception waives the namespace object and every object in it, and nothing else', () => {
    const r = partitionViolations(V, [rule({ namespace: 'team-b' })], SCOPE);
    assert.deepEqual(refs(r.exempted), ['Namespace//team-b', 'Pod/team-b/priv']);
    assert.deepEqual(r.exempted.map((e) => e.exceptionId), ['e1', 'e1']);
    assert.deepEqual(refs(r.violations), ['Pod/team-a/web', 'ClusterRoleBinding//sre']);
  });

  test('an object exception waives exactly that object (kind, namespace and name)', () => {
    const r = partitionViolations(V, [rule({ kind: 'Pod', namespace: 'team-b', name: 'priv' })], SCOPE);
    assert.deepEqual(refs(r.exempted), ['Pod/team-b/priv']);
    const wrongNs = partitionViolations(V, [rule({ kind: 'Pod', namespace: 'team-a', name: 'priv' })], SCOPE);
    assert.equal(wrongNs.exempted.length, 0);
    const clusterScoped = partitionViolations(V, [rule({ kind: 'ClusterRoleBinding', name: 'sre' })], SCOPE);
    assert.deepEqual(refs(clusterScoped.exempted), ['ClusterRoleBinding//sre']);
  });

  test('a cluster or group exception waives everything on matching clusters only', () => {
    assert.equal(partitionViolations(V, [rule({ clusterId: 'c1' })], SCOPE).violations.length, 0);
    assert.equal(partitionViolations(V, [rule({ clusterId: 'c2' })], SCOPE).exempted.length, 0);
    assert.equal(partitionViolations(V, [rule({ groupId: 'g1' })], SCOPE).violations.length, 0);
    assert.equal(partitionViolations(V, [rule({ groupId: 'g2' })], SCOPE).exempted.length, 0);
    assert.equal(partitionViolations(V, [rule({ groupId: 'g1' })], { ...SCOPE, groupId: null }).exempted.length, 0);
  });

  test('another policy’s exception does not apply', () => {
    assert.equal(partitionViolations(V, [rule({ policyId: 'p2', clusterId: 'c1' })], SCOPE).exempted.length, 0);
  });

  test('an exception stops applying at its expiry, judged by the evaluation clock', () => {
    const e = rule({ namespace: 'team-b', expiresAt: '2026-06-01T12:00:01Z' });
    assert.equal(partitionViolations(V, [e], SCOPE).exempted.length, 2);
    assert.equal(partitionViolations(V, [e], { ...SCOPE, at: new Date('2026-06-01T12:00:01Z') }).exempted.length, 0, 'exclusive at expiry');
    assert.equal(partitionViolations(V, [e], { ...SCOPE, at: new Date('2027-01-01T00:00:00Z') }).exempted.length, 0);
  });

  test('with overlapping exceptions the lowest id is named', () => {
    const r = partitionViolations(V, [rule({ id: 'e9', namespace: 'team-b' }), rule({ id: 'e2', clusterId: 'c1' })], SCOPE);
    assert.ok(r.exempted.every((e) => e.exceptionId === 'e2'));
  });
});

describe('enforcement skips what exceptions cover', () => {
  const plan = {
    apply: [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'flotilla-deny', namespace: 'team-b' } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'flotilla-deny', namespace: 'team-a' } },
    ],
    namespaceLabels: [
      { namespace: 'team-b', labels: { a: 'b' } },
      { namespace: 'team-a', labels: { a: 'b' } },
    ],
    unenforceable: [V[1], V[2]],
  };
  test('a namespace exception: nothing applied or labelled in it', () => {
    const p = exemptFromPlan(plan, [rule({ namespace: 'team-b' })], SCOPE);
    assert.deepEqual(p.apply.map((o) => o.metadata.namespace), ['team-a']);
    assert.deepEqual(p.namespaceLabels.map((l) => l.namespace), ['team-a']);
    assert.deepEqual(refs(p.unenforceable), ['Pod/team-a/web']);
  });
  test('an expired exception changes nothing', () => {
    const p = exemptFromPlan(plan, [rule({ namespace: 'team-b', expiresAt: '2026-05-01T00:00:00Z' })], SCOPE);
    assert.deepEqual(p, plan);
  });
});

describe('expiring exceptions', () => {
  test('within seven days and not yet expired', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const list = [
      { id: 'past', expiresAt: '2026-05-31T23:59:59Z' },
      { id: 'soon', expiresAt: '2026-06-03T00:00:00Z' },
      { id: 'edge', expiresAt: '2026-06-08T00:00:00Z' },
      { id: 'later', expiresAt: '2026-06-08T00:00:01Z' },
    ];
    assert.deepEqual(expiringExceptions(list, now).map((e) => e.id), ['soon', 'edge']);
  });
});
