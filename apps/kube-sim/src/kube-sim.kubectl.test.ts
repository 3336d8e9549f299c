/** kube-sim against the real kubectl (skipped, with a message, where kubectl is not installed). */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../../libs/testing/src/eventually';
import { type KubeSim, startKubeSim } from './kube-sim.server';

function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      const p = join(dir, 'kubectl');
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const KUBECTL = findKubectl();
const skip = KUBECTL ? false : 'kubectl is not installed on this machine';
const CLUSTER = 'kc-lab';

let sim: KubeSim;
let dir: string;
let kubeconfig: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL!, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  if (!KUBECTL) return;
  sim = await startKubeSim({ clusters: [{ name: CLUSTER, flavor: 'vsphere', nodes: 3 }], tls: true });
  dir = mkdtempSync(join(tmpdir(), 'kube-sim-kubectl-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, sim.kubeconfig(CLUSTER));
});

after(async () => {
  if (!KUBECTL) return;
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

const MANIFEST = (image: string, value: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: kc-demo
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: kc-demo
data:
  mode: "${value}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: kc-demo
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 8080
`;

describe('kubectl', { skip }, () => {
  test('get across kinds, all namespaces, label selectors and chunked lists', async () => {
    const nodes = await ok(['get', 'nodes', '-o', 'name']);
    assert.ok(nodes.trim().split('\n').length >= 3);
    const wide = await ok(['get', 'nodes']);
    assert.match(wide, /NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    const all = await ok(['get', 'pods', '-A', '-o', 'name']);
    const chunked = await ok(['get', 'pods', '-A', '-o', 'name', '--chunk-size=7']);
    assert.ok(all.trim().split('\n').length > 7, 'enough pods to need several chunks');
    assert.equal(chunked, all);
    const kubeSystem = await ok(['get', 'pods', '-n', 'kube-system', '-o', 'jsonpath={.items[*].metadata.namespace}']);
    assert.ok(kubeSystem.split(' ').every((ns) => ns === 'kube-system'));
    const ns = await ok(['get', 'ns']);
    assert.match(ns, /kube-system\s+Active/);
    await ok(['get', 'deployments,services,configmaps,secrets,serviceaccounts,roles,rolebindings,networkpolicies', '-A']);
    await ok(['get', 'clusterroles,clusterrolebindings']);
    const version = await ok(['version', '-o', 'json']);
    assert.match(JSON.parse(version).serverVersion.gitVersion, /^v1\.\d+/);
  });

  test('create, apply (client- and server-side), patch, label selection and delete', async () => {
    const file = join(dir, 'app.yaml');
    writeFileSync(file, MANIFEST('web:1', 'a'));
    assert.match(await ok(['create', '-f', file]), /deployment.apps\/web created/);
    writeFileSync(file, MANIFEST('web:2', 'b'));
    assert.match(await ok(['apply', '-f', file]), /deployment.apps\/web configured/);
    assert.equal(await ok(['get', 'deploy', 'web', '-n', 'kc-demo', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'web:2');
    assert.equal(await ok(['get', 'cm', 'settings', '-n', 'kc-demo', '-o', 'jsonpath={.data.mode}']), 'b');
    assert.match(await ok(['rollout', 'status', 'deployment/web', '-n', 'kc-demo', '--timeout=10s']), /successfully rolled out/);
    writeFileSync(file, MANIFEST('web:3', 'c'));
    assert.match(await ok(['apply', '--server-side', '-f', file]), /serverside-applied/);
    assert.equal(await ok(['get', 'deploy', 'web', '-n', 'kc-demo', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'web:3');
    // Server-side apply again without a field it applied before: the field goes.
    const ssa = join(dir, 'ssa.yaml');
    writeFileSync(ssa, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: kc-demo}\ndata: {keep: "1", drop: "2"}\n');
    await ok(['apply', '--server-side', '-f', ssa]);
    writeFileSync(ssa, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: kc-demo}\ndata: {keep: "1"}\n');
    await ok(['apply', '--server-side', '-f', ssa]);
    assert.equal(await ok(['get', 'cm', 'ssa', '-n', 'kc-demo', '-o', 'jsonpath={.data}']), '{"keep":"1"}');
    await ok(['patch', 'deploy', 'web', '-n', 'kc-demo', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"envoy"}]}}}}']);
    assert.equal(await ok(['get', 'deploy', 'web', '-n', 'kc-demo', '-o', 'jsonpath={.spec.template.spec.containers[*].name}']), 'web sidecar');
    await ok(['patch', 'cm', 'settings', '-n', 'kc-demo', '--type=merge', '-p', '{"data":{"extra":"1"}}']);
    await ok(['patch', 'cm', 'settings', '-n', 'kc-demo', '--type=json', '-p', '[{"op":"remove","path":"/data/mode"}]']);
    assert.equal(await ok(['get', 'cm', 'settings', '-n', 'kc-demo', '-o', 'jsonpath={.data}']), '{"extra":"1"}');
    await ok(['label', 'cm', 'settings', '-n', 'kc-demo', 'team=blue']);
    assert.equal((await ok(['get', 'cm', '-n', 'kc-demo', '-l', 'team=blue', '-o', 'name'])).trim(), 'configmap/settings');
    assert.equal((await ok(['get', 'cm', '-n', 'kc-demo', '-l', 'team!=blue', '-o', 'name'])).trim(), 'configmap/kube-root-ca.crt\nconfigmap/ssa');
    const missing = await kubectl(['get', 'cm', 'nope', '-n', 'kc-demo']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NotFound.*configmaps "nope" not found/);
    assert.match(await ok(['delete', '-f', file]), /namespace "kc-demo" deleted/);
    const gone = await kubectl(['get', 'deploy', 'web', '-n', 'kc-demo']);
    assert.equal(gone.code, 1);
  });

  test('get -w streams changes until its timeout', async () => {
    await ok(['create', 'namespace', 'kc-watch']);
    let out = '';
    const child: ChildProcess = spawn(KUBECTL!, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', 'configmaps', '-n', 'kc-watch', '-w', '--request-timeout=8s', '-o', 'name']);
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await eventually(async () => out, (o) => o.includes('configmap/kube-root-ca.crt'), { timeoutMs: 8000, what: 'the initial list' });
      await ok(['create', 'configmap', 'late', '-n', 'kc-watch']);
      await eventually(async () => out, (o) => o.includes('configmap/late'), { timeoutMs: 8000, what: 'the watch event' });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('auth can-i with a service account token follows RBAC', async () => {
    await ok(['create', 'namespace', 'kc-auth']);
    await ok(['create', 'serviceaccount', 'viewer', '-n', 'kc-auth']);
    await ok(['create', 'clusterrole', 'cm-reader', '--verb=get,list,watch', '--resource=configmaps']);
    await ok(['create', 'rolebinding', 'viewer-cm', '-n', 'kc-auth', '--clusterrole=cm-reader', '--serviceaccount=kc-auth:viewer']);
    const token = (await ok(['create', 'token', 'viewer', '-n', 'kc-auth'])).trim();
    const asViewer = (args: string[]) => kubectl([...args, '--token', token]);
    assert.equal((await asViewer(['auth', 'can-i', 'list', 'configmaps', '-n', 'kc-auth'])).stdout.trim(), 'yes');
    const no = await asViewer(['auth', 'can-i', 'list', 'configmaps', '-n', 'default']);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal(no.code, 1);
    assert.equal((await asViewer(['auth', 'can-i', 'delete', 'configmaps', '-n', 'kc-auth'])).stdout.trim(), 'no');
    assert.equal((await asViewer(['get', 'cm', '-n', 'kc-auth', '-o', 'name'])).code, 0);
    const denied = await asViewer(['get', 'secrets', '-n', 'kc-auth']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Forbidden.*cannot list resource "secrets"/);
    const list = await asViewer(['auth', 'can-i', '--list', '-n', 'kc-auth']);
    assert.match(list.stdout, /configmaps\s+\[\]\s+\[\]\s+\[get list watch\]/);
    const impersonated = await kubectl(['auth', 'can-i', 'list', 'configmaps', '-n', 'kc-auth', '--as=system:serviceaccount:kc-auth:viewer']);
    assert.equal(impersonated.stdout.trim(), 'yes');
  });

  test('raw health endpoints and metrics', async () => {
    const readyz = await ok(['get', '--raw', '/readyz?verbose']);
    assert.match(readyz, /\[\+\]etcd ok/);
    assert.match(readyz, /readyz check passed/);
    const metrics = await ok(['get', '--raw', '/metrics']);
    assert.match(metrics, /# TYPE apiserver_requested_deprecated_apis gauge/);
  });
});
