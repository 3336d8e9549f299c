import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInspection } from './run-inspection';
import type { InspectionCheck, InspectionSnapshot } from './inspection.types';
import { daemonSet, deployment, healthyVsphere, node, staticPod } from './snapshot.fixture';

function check(s: InspectionSnapshot, id: string): InspectionCheck {
  const c = runInspection('CONFORMANCE_LITE', s).find((x) => x.id === id);
  assert.ok(c, `check ${id} present`);
  return c;
}

test('a healthy cluster passes every conformance check, in a fixed order', () => {
  const checks = runInspection('CONFORMANCE_LITE', healthyVsphere());
  assert.deepEqual(checks.map((c) => c.id), [
    'conformance.api-health',
    'conformance.nodes-ready',
    'conformance.system-workloads',
    'conformance.control-plane-components',
    'conformance.version-skew',
  ]);
  assert.deepEqual(checks.map((c) => c.outcome), ['PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
  assert.deepEqual(checks.map((c) => c.severity), ['CRITICAL', 'HIGH', 'HIGH', 'HIGH', 'HIGH']);
});

test('a failing health endpoint fails, naming it and the readyz checks that failed', () => {
  const s = { ...healthyVsphere(), health: { healthz: true, livez: true, readyz: false, readyzVerbose: '[+]ping ok\n[-]etcd failed: reason withheld\n[+]log ok\nreadyz check failed' } };
  const c = check(s, 'conformance.api-health');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(c.message, '/readyz does not report ok; readyz reports: etcd failed: reason withheld.');
});

test('health not probed is SKIP, not PASS', () => {
  const { health: _unused, ...s } = healthyVsphere();
  assert.equal(check(s, 'conformance.api-health').outcome, 'SKIP');
});

test('NotReady nodes fail the nodes check by name, with their condition', () => {
  const s = { ...healthyVsphere(), nodes: [node('cp-1'), node('worker-1', { ready: false, reason: 'KubeletNotReady' }), node('worker-2', { ready: 'Unknown', reason: 'NodeStatusUnknown' })] };
  const c = check(s, 'conformance.nodes-ready');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(c.message, '2 of 3 nodes are not Ready: worker-1 (Ready=False, KubeletNotReady), worker-2 (Ready=Unknown, NodeStatusUnknown).');
});

test('kube-system workloads with unavailable replicas are named; other namespaces are not judged', () => {
  const s = { ...healthyVsphere(), deployments: [deployment('coredns', 2, 1), deployment('metrics-server', 1, 1), deployment('web', 3, 0, 'shop')], daemonSets: [daemonSet('kube-proxy', 3, 2)] };
  const c = check(s, 'conformance.system-workloads');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(c.message, 'kube-system workloads with unavailable replicas: Deployment kube-system/coredns (1/2 available), DaemonSet kube-system/kube-proxy (2/3 available).');
});

test('control-plane components missing or not Ready fail, by name', () => {
  const s = { ...healthyVsphere(), pods: [staticPod('kube-apiserver', 'cp-1'), staticPod('etcd', 'cp-1'), staticPod('kube-scheduler', 'cp-1', false)] };
  const c = check(s, 'conformance.control-plane-components');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(c.message, 'Control-plane components not found in kube-system: kube-controller-manager; not Ready: kube-system/kube-scheduler-cp-1 (Pending).');
});

for (const provider of ['EKS', 'GKE', 'AKS'] as const) {
  test(`${provider}: control-plane components are SKIP (managed control plane), never FAIL`, () => {
    const s: InspectionSnapshot = { ...healthyVsphere(), provider, version: 'v1.31.2-eks-7f9249a', pods: [], nodes: [node('ip-10-0-1-1', { kubelet: 'v1.31.2-eks-7f9249a' })] };
    const checks = runInspection('CONFORMANCE_LITE', s);
    const c = checks.find((x) => x.id === 'conformance.control-plane-components')!;
    assert.equal(c.outcome, 'SKIP');
    assert.equal(c.message, `${provider}: the managed control plane is not visible to the cluster.`);
    assert.ok(!checks.some((x) => x.outcome === 'FAIL'), 'nothing else fails on a healthy managed cluster');
  });
}

test('a generic cluster with no control-plane static pods warns rather than fails', () => {
  const s: InspectionSnapshot = { ...healthyVsphere(), provider: 'GENERIC', pods: [] };
  assert.equal(check(s, 'conformance.control-plane-components').outcome, 'WARN');
  assert.equal(check({ ...s, provider: 'VSPHERE' }, 'conformance.control-plane-components').outcome, 'FAIL');
});

test('kubelets too far behind or newer than the API server fail the skew check by node', () => {
  const s = { ...healthyVsphere(), version: 'v1.31.2', nodes: [node('cp-1', { kubelet: 'v1.31.2' }), node('old', { kubelet: 'v1.27.9' }), node('ok-old', { kubelet: 'v1.28.1' }), node('ahead', { kubelet: 'v1.32.0' })] };
  const c = check(s, 'conformance.version-skew');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(
    c.message,
    'Kubelets outside the supported skew of API server v1.31.2: old: kubelet v1.27.9 is 4 minor versions behind the API server v1.31.2 (at most 3 supported), ahead: kubelet v1.32.0 is newer than the API server v1.31.2.',
  );
});

test('provider build suffixes do not upset the skew check', () => {
  const s = { ...healthyVsphere(), version: 'v1.30.5-gke.1014001', provider: 'GKE' as const, nodes: [node('gke-a', { kubelet: 'v1.29.8-gke.1211000' })] };
  assert.equal(check(s, 'conformance.version-skew').outcome, 'PASS');
});
