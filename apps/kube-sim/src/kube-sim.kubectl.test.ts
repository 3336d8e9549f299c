/** kube-sim against the real kubectl (skipped, with a message, where kubectl is not installed). */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '@flotilla/testing/eventually';
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

  test('imperative create, auth and delete commands, including those that send protobuf', async () => {
    await ok(['create', 'namespace', 'kc-imp']);
    const created: Array<[string[], RegExp]> = [
      [['create', 'serviceaccount', 'bot', '-n', 'kc-imp'], /serviceaccount\/bot created/],
      [['create', 'secret', 'generic', 's1', '-n', 'kc-imp', '--from-literal=a=b'], /secret\/s1 created/],
      [['create', 'configmap', 'c1', '-n', 'kc-imp', '--from-literal=a=b'], /configmap\/c1 created/],
      [['create', 'role', 'r1', '-n', 'kc-imp', '--verb=get', '--resource=pods'], /role.rbac.authorization.k8s.io\/r1 created/],
      [['create', 'clusterrole', 'kc-imp-cr', '--verb=get', '--resource=pods', '--resource-name=p1'], /clusterrole.rbac.authorization.k8s.io\/kc-imp-cr created/],
      // kubectl sends these two as application/vnd.kubernetes.protobuf.
      [['create', 'rolebinding', 'rb1', '-n', 'kc-imp', '--role=r1', '--user=bob', '--serviceaccount=kc-imp:bot'], /rolebinding.rbac.authorization.k8s.io\/rb1 created/],
      [['create', 'clusterrolebinding', 'kc-imp-crb', '--clusterrole=view', '--group=readers', '--user=bob'], /clusterrolebinding.rbac.authorization.k8s.io\/kc-imp-crb created/],
      [['create', 'deployment', 'd1', '-n', 'kc-imp', '--image=nginx'], /deployment.apps\/d1 created/],
      [['create', 'service', 'clusterip', 'svc1', '-n', 'kc-imp', '--tcp=80:8080'], /service\/svc1 created/],
      [['create', 'job', 'j1', '-n', 'kc-imp', '--image=busybox'], /job.batch\/j1 created/],
      [['create', 'cronjob', 'cj1', '-n', 'kc-imp', '--image=busybox', '--schedule=*/5 * * * *'], /cronjob.batch\/cj1 created/],
      [['create', 'quota', 'q1', '-n', 'kc-imp', '--hard=pods=2'], /resourcequota\/q1 created/],
      [['create', 'poddisruptionbudget', 'pdb1', '-n', 'kc-imp', '--selector=app=x', '--min-available=1'], /poddisruptionbudget.policy\/pdb1 created/],
      [['create', 'ingress', 'ing1', '-n', 'kc-imp', '--rule=web.invalid/=svc1:80'], /ingress.networking.k8s.io\/ing1 created/],
    ];
    for (const [args, expected] of created) assert.match(await ok(args), expected);
    const crb = JSON.parse(await ok(['get', 'clusterrolebinding', 'kc-imp-crb', '-o', 'json'])) as { roleRef: unknown; subjects: unknown };
    assert.deepEqual(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
    assert.deepEqual(crb.subjects, [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'readers' },
    ]);
    const rb = JSON.parse(await ok(['get', 'rolebinding', 'rb1', '-n', 'kc-imp', '-o', 'json'])) as { metadata: { namespace: string }; subjects: unknown };
    assert.equal(rb.metadata.namespace, 'kc-imp');
    assert.deepEqual(rb.subjects, [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
      { kind: 'ServiceAccount', name: 'bot', namespace: 'kc-imp' },
    ]);
    assert.equal((await ok(['auth', 'can-i', 'get', 'pods', '-n', 'kc-imp', '--as=bob'])).trim(), 'yes');
    assert.equal((await kubectl(['auth', 'can-i', 'get', 'pods', '-n', 'kc-imp', '--as=carol'])).stdout.trim(), 'no');
    const reconcile = join(dir, 'reconcile.yaml');
    writeFileSync(reconcile, 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r2, namespace: kc-imp}\nrules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb2, namespace: kc-imp}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r2}\nsubjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: carol}]\n');
    assert.match(await ok(['auth', 'reconcile', '-f', reconcile]), /rolebinding.rbac.authorization.k8s.io\/rb2 reconciled/);
    assert.equal((await ok(['auth', 'can-i', 'get', 'configmaps', '-n', 'kc-imp', '--as=carol'])).trim(), 'yes');
    assert.match(await ok(['delete', 'clusterrolebinding', 'kc-imp-crb']), /deleted/);
    assert.match(await ok(['delete', 'clusterrole', 'kc-imp-cr']), /deleted/);
    assert.match(await ok(['delete', 'rolebinding,role', '--all', '-n', 'kc-imp']), /rolebinding.rbac.authorization.k8s.io "rb1" deleted/);
    assert.match(await ok(['delete', 'namespace', 'kc-imp']), /namespace "kc-imp" deleted/);
  });

  test('RBAC escalation prevention: bind, escalate, or already holding the permissions', async () => {
    await ok(['create', 'namespace', 'kc-esc']);
    const identity = async (name: string, rules: string): Promise<(args: string[]) => Promise<Run>> => {
      const manifest = `apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: kc-esc}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kc-esc-${name}}
rules:
${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kc-esc-${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kc-esc-${name}}
subjects: [{kind: ServiceAccount, name: ${name}, namespace: kc-esc}]
`;
      await ok(['apply', '-f', '-'], manifest);
      const token = (await ok(['create', 'token', name, '-n', 'kc-esc'])).trim();
      return (args) => kubectl([...args, '--token', token]);
    };
    const groups = '(groups=["system:serviceaccounts" "system:serviceaccounts:kc-esc" "system:authenticated"])';
    const notHeld = (who: string) => `user "system:serviceaccount:kc-esc:${who}" ${groups} is attempting to grant RBAC permissions not currently held:`;

    // Only create on clusterrolebindings (and clusterroles): no way to cluster-admin.
    const creator = await identity('creator', '- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings, clusterroles, rolebindings], verbs: [create, get]}');
    const pwn = await creator(['create', 'clusterrolebinding', 'pwn', '--clusterrole=cluster-admin', '--serviceaccount=kc-esc:creator']);
    assert.equal(pwn.code, 1);
    assert.ok(
      pwn.stderr.includes(`clusterrolebindings.rbac.authorization.k8s.io "pwn" is forbidden: ${notHeld('creator')}\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`),
      pwn.stderr,
    );
    assert.equal((await kubectl(['get', 'clusterrolebinding', 'pwn'])).code, 1, 'nothing stored');
    const greedy = await creator(['create', 'clusterrole', 'greedy', '--verb=get,delete', '--resource=pods,secrets']);
    assert.equal(greedy.code, 1);
    assert.ok(greedy.stderr.includes(`clusterroles.rbac.authorization.k8s.io "greedy" is forbidden: ${notHeld('creator')}\n{APIGroups:[""], Resources:["pods"], Verbs:["get" "delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}`), greedy.stderr);
    // What it holds it may hand on: a role, and a binding to it, within its own permissions.
    assert.match((await creator(['create', 'clusterrole', 'modest', '--verb=get', '--resource=clusterroles.rbac.authorization.k8s.io'])).stdout, /created/);
    assert.match((await creator(['create', 'clusterrolebinding', 'modest', '--clusterrole=modest', '--user=dave'])).stdout, /created/);

    // bind restricted by resourceNames to view: view yes, edit and cluster-admin no.
    const binder = await identity('binder', '- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings, rolebindings], verbs: [create]}\n- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [view]}');
    assert.equal((await binder(['create', 'clusterrolebinding', 'kc-esc-view', '--clusterrole=view', '--user=erin'])).code, 0);
    assert.equal((await binder(['create', 'rolebinding', 'view', '-n', 'kc-esc', '--clusterrole=view', '--user=erin'])).code, 0);
    for (const role of ['edit', 'cluster-admin']) {
      const denied = await binder(['create', 'clusterrolebinding', `kc-esc-${role}`, `--clusterrole=${role}`, '--serviceaccount=kc-esc:binder']);
      assert.equal(denied.code, 1, role);
      assert.ok(denied.stderr.includes(`clusterrolebindings.rbac.authorization.k8s.io "kc-esc-${role}" is forbidden: ${notHeld('binder')}\n`), denied.stderr);
      const inNamespace = await binder(['create', 'rolebinding', role, '-n', 'kc-esc', `--clusterrole=${role}`, '--serviceaccount=kc-esc:binder']);
      assert.equal(inNamespace.code, 1, role);
      assert.ok(inNamespace.stderr.includes(`rolebindings.rbac.authorization.k8s.io "${role}" is forbidden: ${notHeld('binder')}`), inNamespace.stderr);
    }
    assert.equal((await binder(['auth', 'can-i', 'create', 'pods', '-n', 'kc-esc'])).stdout.trim(), 'no', 'the refused bindings grant nothing');

    // escalate on clusterroles: may create a role granting more than it holds.
    const escalator = await identity('escalator', '- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [create, escalate]}');
    assert.match((await escalator(['create', 'clusterrole', 'kc-esc-big', '--verb=*', '--resource=secrets'])).stdout, /created/);
    // …but not bind it: escalate is not bind.
    const noBind = await escalator(['create', 'clusterrolebinding', 'kc-esc-big', '--clusterrole=kc-esc-big', '--serviceaccount=kc-esc:escalator']);
    assert.equal(noBind.code, 1);
    assert.match(noBind.stderr, /Forbidden|forbidden/);
    // The admin (system:masters) stays all-powerful.
    assert.match(await ok(['create', 'clusterrolebinding', 'kc-esc-admin', '--clusterrole=cluster-admin', '--user=frank']), /created/);
  });

  test('raw health endpoints and metrics', async () => {
    const readyz = await ok(['get', '--raw', '/readyz?verbose']);
    assert.match(readyz, /\[\+\]etcd ok/);
    assert.match(readyz, /readyz check passed/);
    const metrics = await ok(['get', '--raw', '/metrics']);
    assert.match(metrics, /# TYPE apiserver_requested_deprecated_apis gauge/);
  });
});
