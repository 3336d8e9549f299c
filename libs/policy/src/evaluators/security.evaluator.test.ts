import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy } from '../evaluate-policy';
import { cronJob, deployment, emptyWorkloads, namespaces, pod, policy, restrictedContainer } from '../testing/snapshot.builders';

const restricted = policy('SECURITY', { level: 'restricted' });
const baseline = policy('SECURITY', { level: 'baseline', version: 'v1.30' });

test('SECURITY is compliant when every pod and template meets the level', () => {
  const spec = { containers: [restrictedContainer('app')] };
  const result = evaluatePolicy(restricted, { ...emptyWorkloads(), Namespace: namespaces('app'), Pod: [pod('app', 'p', spec)], Deployment: [deployment('app', 'd', spec)] });
  assert.equal(result.status, 'COMPLIANT');
});

test('SECURITY reports pods and workload templates with upstream’s control and field wording', () => {
  const result = evaluatePolicy(baseline, {
    ...emptyWorkloads(),
    Namespace: namespaces('app'),
    Pod: [pod('app', 'root', { containers: [{ name: 'foo', image: 'x', securityContext: { privileged: true } }] })],
    CronJob: [cronJob('app', 'backup', { hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 80 }] }] })],
  });
  assert.deepEqual(result.violations, [
    {
      kind: 'CronJob',
      namespace: 'app',
      name: 'backup',
      message: 'pod template violates PodSecurity "baseline:v1.30": host namespaces (hostNetwork), hostPort (container "c" uses hostPort 80)',
    },
    {
      kind: 'Pod',
      namespace: 'app',
      name: 'root',
      message: 'pod violates PodSecurity "baseline:v1.30": privileged (container "foo" must not set securityContext.privileged=true)',
    },
  ]);
});

test('SECURITY at restricted names each missing field', () => {
  const result = evaluatePolicy(restricted, { ...emptyWorkloads(), Namespace: namespaces('app'), Pod: [pod('app', 'p', { containers: [{ name: 'x', image: 'i' }] })] });
  assert.equal(
    result.violations[0].message,
    'pod violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), ' +
      'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
});

test('SECURITY exempts system namespaces unless the spec names them', () => {
  const snapshot = { ...emptyWorkloads(), Namespace: namespaces('kube-system'), Pod: [pod('kube-system', 'kube-proxy', { hostNetwork: true, containers: [{ name: 'p', image: 'i' }] })] };
  assert.equal(evaluatePolicy(baseline, snapshot).status, 'COMPLIANT');
  assert.equal(evaluatePolicy(policy('SECURITY', { level: 'baseline', namespaces: ['kube-system'] }), snapshot).status, 'NON_COMPLIANT');
});
