import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, NetworkingV1Api, RbacAuthorizationV1Api, VersionApi } from '@kubernetes/client-node';
import { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, AGENT_TOKEN_ROLE, AGENT_TOKEN_SECRET, wildcardGrants } from '@flotilla/cluster-access/agent-identity';
import { KubeSim, startKubeSim } from '../../kube-sim/src';
import { ensureAgentIdentity, loadKubeConfig, removeLegacyTokenSecret } from './kube-attach';

const KUBECTL = '/usr/bin/kubectl';
let sim: KubeSim;
let dir: string;

before(async () => {
  sim = await startKubeSim({ clusters: 3, port: 0, tls: true });
  dir = mkdtempSync(join(tmpdir(), 'flotilla-attach-'));
});
after(async () => {
  await sim?.stop();
});

function kubeconfigFile(name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, sim.kubeconfig(name), { mode: 0o600 });
  return file;
}

/** A client that acts as the agent: only the token and CA attach returns, like the worker will. */
function agentConfig(creds: { apiServerUrl: string; token: string; caData?: string }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: creds.apiServerUrl, caData: creds.caData, skipTLSVerify: false }],
    users: [{ name: 'agent', token: creds.token }],
    contexts: [{ name: 'agent', cluster: 'c', user: 'agent' }],
    currentContext: 'agent',
  });
  return kc;
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

test('attach creates the agent identity in the cluster and returns a working, least-privilege token', async () => {
  const name = sim.clusterNames()[0];
  const admin = loadKubeConfig(kubeconfigFile(name));
  const progress: string[] = [];
  const creds = await ensureAgentIdentity(admin, undefined, { onProgress: (l) => progress.push(l) });

  assert.equal(creds.apiServerUrl, sim.clusterUrl(name));
  assert.match(creds.apiServerUrl, /^https:\/\/127\.0\.0\.1:\d+\/clusters\//, 'the path prefix is part of the server URL');
  assert.ok(creds.token.length > 20, 'a token');
  assert.ok(!creds.token.includes('\n'));
  // A TokenRequest token of the default 24 h, with its expiry as the cluster answered it.
  const lifeS = (creds.tokenExpiresAt.getTime() - Date.now()) / 1000;
  assert.ok(lifeS > 86_400 - 300 && lifeS <= 86_400 + 5, `expires in about 24 h (${lifeS} s)`);
  const claims = JSON.parse(Buffer.from(creds.token.split('.')[1], 'base64url').toString('utf8')) as { exp: number; sub: string };
  assert.equal(claims.exp * 1000, creds.tokenExpiresAt.getTime());
  assert.equal(claims.sub, `system:serviceaccount:${AGENT_NAMESPACE}:${AGENT_SERVICE_ACCOUNT}`);
  assert.match(Buffer.from(creds.caData ?? '', 'base64').toString('utf8'), /^-----BEGIN CERTIFICATE-----/);
  assert.deepEqual(progress, [
    `namespace/${AGENT_NAMESPACE} created`,
    `serviceaccount/${AGENT_SERVICE_ACCOUNT} created`,
    'clusterrole/flotilla-agent created',
    'clusterrolebinding/flotilla-agent created',
    `role/${AGENT_TOKEN_ROLE} created`,
    `rolebinding/${AGENT_TOKEN_ROLE} created`,
  ]);

  // Every object is there, as the operator's admin sees it.
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await core.readNamespace({ name: AGENT_NAMESPACE });
  await core.readNamespacedServiceAccount({ name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE });
  const role = await rbac.readClusterRole({ name: 'flotilla-agent' });
  assert.deepEqual(wildcardGrants((role.rules ?? []) as never), []);
  assert.ok(!JSON.stringify(role.rules).includes('*'), 'the ClusterRole read back has no *');
  const binding = await rbac.readClusterRoleBinding({ name: 'flotilla-agent' });
  assert.deepEqual(
    binding.subjects?.map((s) => [s.kind, s.name, s.namespace]),
    [['ServiceAccount', AGENT_SERVICE_ACCOUNT, AGENT_NAMESPACE]],
  );
  // No long-lived token Secret anywhere in the cluster.
  assert.equal(await status(core.readNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace: AGENT_NAMESPACE })), 404);
  const saSecrets = (await core.listSecretForAllNamespaces()).items.filter((x) => x.type === 'kubernetes.io/service-account-token');
  assert.deepEqual(saSecrets.filter((x) => x.metadata?.annotations?.['kubernetes.io/service-account.name'] === AGENT_SERVICE_ACCOUNT), []);
  assert.deepEqual((await core.listNamespacedSecret({ namespace: AGENT_NAMESPACE })).items, [], 'flotilla-system holds no Secret at all');
  // The CA comes from the kubeconfig, the same the cluster publishes in kube-root-ca.crt.
  const rootCa = await core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: AGENT_NAMESPACE });
  assert.equal(rootCa.data?.['ca.crt'], sim.caPem);

  // The token works, over TLS verified with the returned CA, for what Flotilla reads ...
  const agent = agentConfig(creds);
  const agentCore = agent.makeApiClient(CoreV1Api);
  assert.equal(await status(agent.makeApiClient(VersionApi).getCode()), 200);
  assert.equal(await status(agentCore.listNode()), 200);
  assert.equal(await status(agentCore.listPodForAllNamespaces({ limit: 5 })), 200);
  // ... for what ENFORCE writes: a binding to a role the agent does not hold (needs bind), a
  // default-deny NetworkPolicy, a ResourceQuota, and namespace labels (patch) ...
  const agentRbac = agent.makeApiClient(RbacAuthorizationV1Api);
  const rb = { metadata: { name: 'flotilla-test-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'devs' }] };
  assert.equal(await status(agentRbac.createNamespacedRoleBinding({ namespace: 'default', body: rb })), 200);
  const np = { metadata: { name: 'flotilla-test-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  assert.equal(await status(agent.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({ namespace: 'default', body: np })), 200);
  assert.equal(await status(agentCore.createNamespacedResourceQuota({ namespace: 'default', body: { metadata: { name: 'flotilla-test-quota' }, spec: { hard: { pods: '10' } } } })), 200);
  assert.equal(await status(agentCore.patchNamespace({ name: 'default', body: [{ op: 'add', path: '/metadata/labels/flotilla-test', value: 'yes' }] })), 200);
  // ... and not for what it must not touch.
  assert.equal(await status(agentCore.createNamespace({ body: { metadata: { name: 'flotilla-test-ns' } } })), 403);
  assert.equal(await status(agentCore.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'x' } } })), 403);
  assert.equal(await status(agentCore.listSecretForAllNamespaces({ limit: 5 })), 403, 'the agent never reads secrets');
  assert.equal(await status(agentCore.listConfigMapForAllNamespaces({ limit: 5 })), 403);
  assert.equal(await status(agentCore.deleteNamespace({ name: 'default' })), 403, 'the agent never deletes');
  assert.equal(await status(agent.makeApiClient(RbacAuthorizationV1Api).createClusterRole({ body: { metadata: { name: 'x' }, rules: [] } })), 403);
});

test('on a management cluster the agent reads Cluster API objects and releases, and may patch a Cluster', async () => {
  const capi = { group: 'cluster.x-k8s.io', version: 'v1beta1' };
  let management: string | undefined;
  for (const name of sim.clusterNames()) {
    // Workload clusters do not serve Cluster API at all (404), as without its CRDs.
    const list = (await loadKubeConfig(kubeconfigFile(name))
      .makeApiClient(CustomObjectsApi)
      .listClusterCustomObject({ ...capi, plural: 'clusters' })
      .catch((err: unknown) => {
        if (err instanceof ApiException && err.code === 404) return { items: [] };
        throw err;
      })) as { items: unknown[] };
    if (list.items.length) management = name;
  }
  assert.ok(management, 'the simulated fleet has a management cluster');
  const agent = agentConfig(await ensureAgentIdentity(loadKubeConfig(kubeconfigFile(management)), undefined)).makeApiClient(CustomObjectsApi);
  const clusters = (await agent.listClusterCustomObject({ ...capi, plural: 'clusters' })) as { items: Array<{ metadata: { name: string; namespace: string } }> };
  assert.ok(clusters.items.length > 0);
  assert.equal(await status(agent.listClusterCustomObject({ ...capi, plural: 'machinedeployments' })), 200);
  assert.equal(await status(agent.listClusterCustomObject({ ...capi, plural: 'machines' })), 200);
  assert.equal(await status(agent.listClusterCustomObject({ group: 'run.tanzu.vmware.com', version: 'v1alpha3', plural: 'tanzukubernetesreleases' })), 200);
  const { name, namespace } = clusters.items[0].metadata;
  const patch = [{ op: 'add', path: '/metadata/annotations', value: { 'flotilla.test/touched': 'yes' } }];
  assert.equal(await status(agent.patchNamespacedCustomObject({ ...capi, namespace, plural: 'clusters', name, body: patch })), 200);
  assert.equal(await status(agent.deleteNamespacedCustomObject({ ...capi, namespace, plural: 'clusters', name })), 403, 'upgrades patch, never delete');
  assert.equal(await status(agent.patchNamespacedCustomObject({ ...capi, namespace, plural: 'machinedeployments', name, body: patch })), 403);
});

test('running attach again is safe: nothing changes, a new token is issued and the one before stays valid', async () => {
  const name = sim.clusterNames()[1];
  const admin = loadKubeConfig(kubeconfigFile(name));
  const first = await ensureAgentIdentity(admin, undefined, { tokenTtlSeconds: 600 });
  const progress: string[] = [];
  const second = await ensureAgentIdentity(admin, undefined, { onProgress: (l) => progress.push(l), tokenTtlSeconds: 600 });
  assert.ok(progress.length === 6 && progress.every((l) => l.endsWith(' unchanged')), progress.join('\n'));
  assert.equal(second.apiServerUrl, first.apiServerUrl);
  assert.equal(second.caData, first.caData);
  const lifeS = (second.tokenExpiresAt.getTime() - Date.now()) / 1000;
  assert.ok(lifeS > 300 && lifeS <= 605, `--token-ttl 600 gives a 10-minute token (${lifeS} s)`);
  for (const creds of [first, second]) assert.equal(await status(agentConfig(creds).makeApiClient(CoreV1Api).listNode()), 200);
});

test('the long-lived token Secret an older attach created is removed (revoking its token); a foreign one is kept', async () => {
  const name = sim.clusterNames()[1];
  const admin = loadKubeConfig(kubeconfigFile(name));
  const core = admin.makeApiClient(CoreV1Api);
  const legacy = {
    metadata: { name: AGENT_TOKEN_SECRET, labels: { 'app.kubernetes.io/managed-by': 'flotilla' }, annotations: { 'kubernetes.io/service-account.name': AGENT_SERVICE_ACCOUNT } },
    type: 'kubernetes.io/service-account-token',
  };
  await core.createNamespacedSecret({ namespace: AGENT_NAMESPACE, body: legacy });
  const filled = await core.readNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace: AGENT_NAMESPACE });
  const oldToken = Buffer.from(filled.data?.token ?? '', 'base64').toString('utf8');
  const oldAgent = agentConfig({ apiServerUrl: sim.clusterUrl(name), token: oldToken, caData: Buffer.from(sim.caPem ?? '').toString('base64') }).makeApiClient(CoreV1Api);
  assert.equal(await status(oldAgent.listNode()), 200, 'the legacy token works before');
  assert.equal(await removeLegacyTokenSecret(admin), 'deleted');
  assert.equal(await status(oldAgent.listNode()), 401, 'and is revoked with its Secret');
  assert.equal(await removeLegacyTokenSecret(admin), 'absent');
  await core.createNamespacedSecret({ namespace: AGENT_NAMESPACE, body: { metadata: { name: AGENT_TOKEN_SECRET }, type: 'Opaque', stringData: { note: 'someone else' } } });
  assert.equal(await removeLegacyTokenSecret(admin), 'not-flotilla');
  assert.equal(await status(core.readNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace: AGENT_NAMESPACE })), 200);
  await core.deleteNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace: AGENT_NAMESPACE });
});

test('attach puts a tampered ClusterRole back to least privilege and keeps labels others added', async () => {
  const name = sim.clusterNames()[2];
  const admin = loadKubeConfig(kubeconfigFile(name));
  const creds = await ensureAgentIdentity(admin, undefined);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const core = admin.makeApiClient(CoreV1Api);
  const role = await rbac.readClusterRole({ name: 'flotilla-agent' });
  role.rules = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];
  role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-agent': 'true' } }] };
  await rbac.replaceClusterRole({ name: 'flotilla-agent', body: role });
  const ns = await core.readNamespace({ name: AGENT_NAMESPACE });
  ns.metadata = { ...ns.metadata, labels: { ...ns.metadata?.labels, 'team.acme.io/owner': 'platform' } };
  await core.replaceNamespace({ name: AGENT_NAMESPACE, body: ns });

  const progress: string[] = [];
  const again = await ensureAgentIdentity(admin, undefined, { onProgress: (l) => progress.push(l) });
  assert.ok(progress.includes('clusterrole/flotilla-agent configured'), progress.join('\n'));
  assert.ok(progress.includes(`namespace/${AGENT_NAMESPACE} unchanged`), 'an extra label is not a difference');
  assert.equal(again.token, creds.token);
  const restored = await rbac.readClusterRole({ name: 'flotilla-agent' });
  assert.ok(!JSON.stringify(restored.rules).includes('*'));
  assert.equal(restored.aggregationRule, undefined, 'no aggregation can widen the role');
  assert.ok(restored.rules?.some((r) => r.resources?.includes('networkpolicies')));
  assert.equal((await core.readNamespace({ name: AGENT_NAMESPACE })).metadata?.labels?.['team.acme.io/owner'], 'platform');
});

test('--context picks the cluster; an unknown context is named with the ones that exist', async () => {
  const [a, b] = sim.clusterNames();
  const merged = new KubeConfig();
  const one = loadKubeConfig(kubeconfigFile(a));
  const two = loadKubeConfig(kubeconfigFile(b));
  merged.loadFromOptions({
    clusters: [...one.clusters, ...two.clusters],
    users: [...one.users, ...two.users],
    contexts: [...one.contexts, ...two.contexts],
    currentContext: one.currentContext,
  });
  const creds = await ensureAgentIdentity(merged, two.currentContext);
  assert.equal(creds.apiServerUrl, sim.clusterUrl(b));
  assert.equal(merged.currentContext, one.currentContext, 'the caller\'s kubeconfig is left as it was');
  await assert.rejects(ensureAgentIdentity(merged, 'nope'), new RegExp(`context "nope" is not in the kubeconfig \\(contexts: ${one.currentContext}, ${two.currentContext}\\)`));
});

test('a missing or broken kubeconfig is a clear error, not a fallback to localhost', () => {
  assert.throws(() => loadKubeConfig(join(dir, 'missing.yaml')), /^CliError: cannot load kubeconfig .*missing\.yaml: ENOENT/);
  assert.throws(() => loadKubeConfig(undefined, { HOME: dir }), /^CliError: no kubeconfig: pass --kubeconfig FILE or set KUBECONFIG/);
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'clusters: [unclosed');
  assert.throws(() => loadKubeConfig(broken), /cannot load kubeconfig/);
});

test('kubectl reads back a ClusterRole without any *', { skip: !existsSync(KUBECTL) && `no ${KUBECTL}` }, async () => {
  const name = sim.clusterNames()[0];
  const file = kubeconfigFile(name);
  await ensureAgentIdentity(loadKubeConfig(file), undefined);
  // Asynchronously: kube-sim serves from this very process.
  const { stdout: out } = await promisify(execFile)(KUBECTL, ['--kubeconfig', file, 'get', 'clusterrole', 'flotilla-agent', '-o', 'json'], { encoding: 'utf8', timeout: 30_000 });
  const role = JSON.parse(out) as { rules: Array<Record<string, string[]>> };
  assert.ok(role.rules.length > 5);
  assert.deepEqual(wildcardGrants(role.rules as never), []);
  assert.ok(!JSON.stringify(role.rules).includes('*'));
});
