/** ValidatingAdmissionPolicy at admission, seen through the real kubectl (skipped where kubectl is not installed). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type KubeSim, startKubeSim } from './kube-sim.server';

function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      accessSync(join(dir, 'kubectl'), constants.X_OK);
      return join(dir, 'kubectl');
    } catch {
      // not here
    }
  }
  return undefined;
}

const KUBECTL = findKubectl();
let sim: KubeSim;
let dir: string;

function kubectl(cluster: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL!, ['--kubeconfig', join(dir, cluster), '--cache-dir', join(dir, `cache-${cluster}`), ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: non-root
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["*"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
    namespaceSelector:
      matchExpressions:
      - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}
  variables:
  - name: sc
    expression: "has(object.spec.template.spec.securityContext) ? object.spec.template.spec.securityContext : {}"
  validations:
  - expression: "has(variables.sc.runAsNonRoot) && variables.sc.runAsNonRoot == true"
    message: Deployments must set spec.template.spec.securityContext.runAsNonRoot
  - expression: "object.spec.replicas <= 5"
    messageExpression: "'at most 5 replicas, not ' + string(object.spec.replicas)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: non-root-binding
spec:
  policyName: non-root
  validationActions: [Deny]
`;

function deployment(name: string, replicas: number, runAsNonRoot?: boolean): string {
  const sc = runAsNonRoot === undefined ? '' : `\n      securityContext:\n        runAsNonRoot: ${runAsNonRoot}`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:${sc}
      containers:
      - {name: app, image: nginx}
`;
}

describe('ValidatingAdmissionPolicy admission', { skip: KUBECTL ? false : 'kubectl is not installed on this machine' }, () => {
  before(async () => {
    sim = await startKubeSim({ clusters: [{ name: 'vap-new', flavor: 'vsphere', nodes: 1, version: 'v1.31.4' }, { name: 'vap-old', flavor: 'vsphere', nodes: 1, version: 'v1.29.10' }], tls: true });
    dir = mkdtempSync(join(tmpdir(), 'kube-sim-vap-'));
    for (const c of ['vap-new', 'vap-old']) writeFileSync(join(dir, c), sim.kubeconfig(c));
  });
  after(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a Deny binding refuses a violating Deployment with upstream wording (422 Invalid) and admits a compliant one', async () => {
    const applied = await kubectl('vap-new', ['apply', '-f', '-'], POLICY);
    assert.equal(applied.code, 0, applied.stderr);
    const refused = await kubectl('vap-new', ['create', '-f', '-'], deployment('rooty', 1));
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /The deployments "rooty" is invalid: : ValidatingAdmissionPolicy 'non-root' with binding 'non-root-binding' denied request: Deployments must set spec\.template\.spec\.securityContext\.runAsNonRoot/,
    );
    const many = await kubectl('vap-new', ['create', '-f', '-'], deployment('many', 7, true));
    assert.match(many.stderr, /denied request: at most 5 replicas, not 7/);
    const fine = await kubectl('vap-new', ['create', '-f', '-'], deployment('fine', 2, true));
    assert.equal(fine.code, 0, fine.stderr);
    // UPDATE is matched too: scaling the compliant one past the limit is refused (oldObject bound).
    const patched = await kubectl('vap-new', ['patch', 'deployment', 'fine', '-n', 'default', '--type=merge', '-p', '{"spec":{"replicas":9}}']);
    assert.match(patched.stderr, /denied request: at most 5 replicas, not 9/);
    // Out of scope (kube-system) is not judged.
    const system = await kubectl('vap-new', ['create', '-f', '-'], deployment('sys', 1).replace('namespace: default', 'namespace: kube-system'));
    assert.equal(system.code, 0, system.stderr);
    // Deleting the binding lifts the refusal.
    assert.equal((await kubectl('vap-new', ['delete', 'validatingadmissionpolicybinding', 'non-root-binding'])).code, 0);
    assert.equal((await kubectl('vap-new', ['create', '-f', '-'], deployment('rooty', 1))).code, 0);
  });

  test('a 1.29 cluster does not serve admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy', async () => {
    const r = await kubectl('vap-old', ['apply', '-f', '-'], POLICY);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not found|could not find|no matches/i);
  });
});
