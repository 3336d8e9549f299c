/**
 * The attach identity as an attacker holding its token would use it: real kubectl, over TLS,
 * against kube-sim. It can do what ENFORCE needs (bind view/edit/admin) and nothing that makes it
 * cluster-admin. (Skipped, with a message, where kubectl is not installed.)
 *
 * The refusals rely on kube-sim's RBAC escalation prevention (creating a binding needs `bind` on
 * its role, with resourceNames honoured, or holding every permission in it) — as upstream.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT } from '@flotilla/cluster-access/agent-identity';
import { KubeSim, startKubeSim } from '../../kube-sim/src';
import { AgentCredentials, ensureAgentIdentity, loadKubeConfig } from './kube-attach';

function findKubectl(): string | undefined {
  for (const d of (process.env.PATH ?? '').split(':')) {
    try {
      const p = join(d, 'kubectl');
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
const CLUSTER = 'escalate-lab';
const SA = `${AGENT_NAMESPACE}:${AGENT_SERVICE_ACCOUNT}`;

let sim: KubeSim;
let dir: string;
let adminKubeconfig: string;
let agentKubeconfig: string;
let creds: AgentCredentials;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(kubeconfig: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL!, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}
const asAgent = (args: string[], input?: string) => kubectl(agentKubeconfig, args, input);
const asAdmin = (args: string[], input?: string) => kubectl(adminKubeconfig, args, input);

/** Refused by the API server with Forbidden — not failing for some other reason (bad body, no such command). */
function assertForbidden(r: Run, what: string): void {
  assert.notEqual(r.code, 0, `${what} must fail, but: ${r.stdout}`);
  assert.match(r.stderr, /forbidden/i, `${what} fails as Forbidden: ${r.stderr}`);
}

async function assertAbsent(kind: string, name: string, namespace?: string): Promise<void> {
  const r = await asAdmin(['get', kind, name, ...(namespace ? ['-n', namespace] : []), '--ignore-not-found', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '', `${kind} ${name} must not exist`);
}

const binding = (kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, role: string, namespace?: string) =>
  JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }],
  });

before(async () => {
  if (!KUBECTL) return;
  sim = await startKubeSim({ clusters: [{ name: CLUSTER, flavor: 'generic', nodes: 1 }], tls: true });
  dir = mkdtempSync(join(tmpdir(), 'flotilla-escalate-'));
  adminKubeconfig = join(dir, 'admin.yaml');
  writeFileSync(adminKubeconfig, sim.kubeconfig(CLUSTER), { mode: 0o600 });
  creds = await ensureAgentIdentity(loadKubeConfig(adminKubeconfig));
  // Exactly what Flotilla holds: the URL, the CA and the agent's token. Nothing of the admin's.
  agentKubeconfig = join(dir, 'agent.yaml');
  writeFileSync(
    agentKubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: creds.apiServerUrl, 'certificate-authority-data': creds.caData } }],
      users: [{ name: 'agent', user: { token: creds.token } }],
      contexts: [{ name: 'agent', context: { cluster: 'c', user: 'agent' } }],
      'current-context': 'agent',
    }),
    { mode: 0o600 },
  );
});

after(async () => {
  if (!KUBECTL) return;
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl as the attach identity', { skip }, () => {
  test('it may bind the roles ENFORCE grants, and holds no escalate, impersonate or secrets', async () => {
    const can = async (...args: string[]) => (await asAgent(['auth', 'can-i', ...args])).stdout.trim();
    assert.equal(await can('bind', 'clusterroles/view'), 'yes');
    assert.equal(await can('bind', 'clusterroles/edit'), 'yes');
    assert.equal(await can('bind', 'clusterroles/admin'), 'yes');
    assert.equal(await can('bind', 'clusterroles/cluster-admin'), 'no');
    assert.equal(await can('bind', 'clusterroles/flotilla-agent'), 'no');
    assert.equal(await can('escalate', 'clusterroles'), 'no');
    assert.equal(await can('impersonate', 'serviceaccounts'), 'no');
    assert.equal(await can('impersonate', 'users'), 'no');
    assert.equal(await can('create', 'secrets', '-n', AGENT_NAMESPACE), 'no');
    assert.equal(await can('get', 'secrets', '-n', AGENT_NAMESPACE), 'no');
    assert.equal(await can('update', 'clusterroles/flotilla-agent'), 'no');
    assert.equal(await can('create', 'serviceaccounts/token', '-n', AGENT_NAMESPACE), 'no', 'no tokens for service accounts in general');
    // It renews its own short-lived token, and mints none for any other service account.
    assert.equal(await can('create', 'serviceaccounts/flotilla-agent', '--subresource=token', '-n', AGENT_NAMESPACE), 'yes');
    assert.equal(await can('create', 'serviceaccounts/default', '--subresource=token', '-n', AGENT_NAMESPACE), 'no');
    assert.equal(await can('create', 'serviceaccounts/flotilla-agent', '--subresource=token', '-n', 'default'), 'no');
    const minted = await asAgent(['create', 'token', 'default', '-n', AGENT_NAMESPACE]);
    assert.notEqual(minted.code, 0, 'kubectl create token for another service account is refused');
    assert.match(minted.stderr, /forbidden/i);
    const own = await asAgent(['create', 'token', 'flotilla-agent', '-n', AGENT_NAMESPACE, '--duration', '10m']);
    assert.equal(own.code, 0, own.stderr);

    // What ENFORCE does with it works: a binding to view, then removing it again.
    const ok = await asAgent(['create', '-f', '-'], binding('ClusterRoleBinding', 'flotilla-test-view', 'view'));
    assert.equal(ok.code, 0, ok.stderr);
    const del = await asAgent(['delete', 'clusterrolebinding', 'flotilla-test-view']);
    assert.equal(del.code, 0, del.stderr);
  });

  test('holding its token is not enough to become cluster-admin', async () => {
    // The imperative command an attacker would type first (kubectl sends it as protobuf).
    const imperative = await asAgent(['create', 'clusterrolebinding', 'x', '--clusterrole=cluster-admin', `--serviceaccount=${SA}`]);
    assertForbidden(imperative, 'kubectl create clusterrolebinding x --clusterrole=cluster-admin');
    await assertAbsent('clusterrolebinding', 'x');

    // The same as a JSON manifest, cluster-wide and in a namespace.
    assertForbidden(await asAgent(['create', '-f', '-'], binding('ClusterRoleBinding', 'y', 'cluster-admin')), 'a ClusterRoleBinding to cluster-admin');
    await assertAbsent('clusterrolebinding', 'y');
    assertForbidden(await asAgent(['create', '-f', '-'], binding('RoleBinding', 'z', 'cluster-admin', 'default')), 'a RoleBinding to cluster-admin');
    await assertAbsent('rolebinding', 'z', 'default');
    assertForbidden(await asAgent(['create', 'rolebinding', 'w', '-n', AGENT_NAMESPACE, '--clusterrole=cluster-admin', `--serviceaccount=${SA}`]), 'kubectl create rolebinding to cluster-admin');
    await assertAbsent('rolebinding', 'w', AGENT_NAMESPACE);

    // Nor by widening its own role, or by making a role of its own to bind.
    assertForbidden(
      await asAgent(['patch', 'clusterrole', 'flotilla-agent', '--type=json', '-p', '[{"op":"add","path":"/rules/-","value":{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}}]']),
      'patching its own ClusterRole',
    );
    assertForbidden(await asAgent(['create', 'clusterrole', 'mine', '--verb=*', '--resource=*']), 'creating a ClusterRole');
    await assertAbsent('clusterrole', 'mine');
    // The admin's view: the agent is still bound only to its own role.
    const bindings = await asAdmin(['get', 'clusterrolebindings', '-o', 'json']);
    const items = (JSON.parse(bindings.stdout) as { items: Array<{ roleRef: { name: string }; subjects?: Array<{ name: string; namespace?: string }> }> }).items;
    const agentRoles = items.filter((b) => b.subjects?.some((s) => s.name === AGENT_SERVICE_ACCOUNT && s.namespace === AGENT_NAMESPACE)).map((b) => b.roleRef.name);
    assert.deepEqual(agentRoles, ['flotilla-agent']);
  });
});
