import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy } from '../evaluate-policy';
import type { KubeObject } from '../kube-object';
import { namespace, namespaces, policy } from '../testing/snapshot.builders';

function networkPolicy(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

const denyIngress = (ns: string) => networkPolicy(ns, 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const denyEgress = (ns: string) => networkPolicy(ns, 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
const ingressOnly = policy('NETWORK', { defaultDeny: 'ingress' });
const all = policy('NETWORK', { defaultDeny: 'all' });

test('NETWORK is compliant when every namespace has a default-deny policy, and allow policies beside it do not matter', () => {
  const result = evaluatePolicy(ingressOnly, {
    Namespace: namespaces('a', 'b'),
    NetworkPolicy: [denyIngress('a'), denyIngress('b'), networkPolicy('a', 'allow-web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] })],
  });
  assert.equal(result.status, 'COMPLIANT');
});

test('NETWORK reports each namespace without a default-deny policy, in words', () => {
  const result = evaluatePolicy(ingressOnly, { Namespace: namespaces('b', 'a'), NetworkPolicy: [denyIngress('a')] });
  assert.deepEqual(result.violations, [
    {
      kind: 'Namespace',
      name: 'b',
      message:
        'no default-deny NetworkPolicy for ingress: pods here accept traffic from anywhere unless a NetworkPolicy selecting all pods (empty podSelector) lists Ingress in policyTypes with no rules',
    },
  ]);
});

test('NETWORK does not count policies that select some pods, or that have rules', () => {
  const result = evaluatePolicy(ingressOnly, {
    Namespace: namespaces('a', 'b', 'c'),
    NetworkPolicy: [
      networkPolicy('a', 'some-pods', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }),
      networkPolicy('b', 'allows-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }),
      // policyTypes omitted: the API server defaults it to Ingress.
      networkPolicy('c', 'defaulted', { podSelector: {} }),
    ],
  });
  assert.deepEqual(
    result.violations.map((v) => v.name),
    ['a', 'b'],
  );
});

test('NETWORK "all" needs egress denied too, by one policy or two', () => {
  const result = evaluatePolicy(all, {
    Namespace: namespaces('one', 'two', 'half'),
    NetworkPolicy: [
      networkPolicy('one', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      denyIngress('two'),
      denyEgress('two'),
      denyIngress('half'),
    ],
  });
  assert.deepEqual(result.violations, [
    {
      kind: 'Namespace',
      name: 'half',
      message:
        'no default-deny NetworkPolicy for egress: pods here can send traffic to anywhere unless a NetworkPolicy selecting all pods (empty podSelector) lists Egress in policyTypes with no rules',
    },
  ]);
});

test('NETWORK exempts system namespaces, unless the spec names them; excludeNamespaces always wins', () => {
  const snapshot = { Namespace: namespaces('kube-system', 'kube-public', 'kube-node-lease', 'flotilla-system', 'app', 'legacy'), NetworkPolicy: [] };
  assert.deepEqual(
    evaluatePolicy(policy('NETWORK', { defaultDeny: 'ingress', excludeNamespaces: ['legacy'] }), snapshot).violations.map((v) => v.name),
    ['app'],
  );
  assert.deepEqual(
    evaluatePolicy(policy('NETWORK', { defaultDeny: 'ingress', namespaces: ['kube-system', 'app'] }), snapshot).violations.map((v) => v.name),
    ['app', 'kube-system'],
  );
});

test('NETWORK skips namespaces being deleted', () => {
  const terminating = { ...namespace('old'), status: { phase: 'Terminating' } };
  assert.equal(evaluatePolicy(ingressOnly, { Namespace: [terminating], NetworkPolicy: [] }).status, 'COMPLIANT');
});
