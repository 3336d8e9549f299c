/** RBAC escalation prevention on every write path (create, update, patch, server-side apply) and protobuf bodies. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type KubeSim, startKubeSim } from './kube-sim.server';
import { adminRequest, rawRequest } from './testing/kube-sim.test-helper';
import { encodeKubeProtobuf } from './testing/protobuf.test-helper';

const CLUSTER = 'esc';
const RBAC = 'rbac.authorization.k8s.io';
const ROLES = `/apis/${RBAC}/v1/namespaces/team/roles`;
let sim: KubeSim;
let token: string;

const asBot = (path: string, opts: Parameters<typeof rawRequest>[2] = {}) => rawRequest(sim, `/clusters/${CLUSTER}${path}`, { token, ...opts });
const role = (name: string, rules: unknown[], extra: Record<string, unknown> = {}) => ({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name, namespace: 'team', ...extra }, rules });
const podsRead = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };
const notHeld = 'is forbidden: user "system:serviceaccount:team:bot" (groups=["system:serviceaccounts" "system:serviceaccounts:team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n';

before(async () => {
  sim = await startKubeSim({ clusters: [{ name: CLUSTER, flavor: 'generic', nodes: 1 }], tls: false });
  const admin = (path: string, body: unknown) => adminRequest(sim, CLUSTER, path, { method: 'POST', body });
  await admin('/api/v1/namespaces', { metadata: { name: 'team' } });
  await admin('/api/v1/namespaces/team/serviceaccounts', { metadata: { name: 'bot' } });
  // The bot reads pods and manages roles and bindings in its namespace: nothing more.
  await admin(ROLES, role('bot', [podsRead, { apiGroups: [RBAC], resources: ['roles', 'rolebindings'], verbs: ['get', 'create', 'update', 'patch'] }]));
  await admin(`/apis/${RBAC}/v1/namespaces/team/rolebindings`, { metadata: { name: 'bot' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'bot' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }] });
  await admin(`/apis/${RBAC}/v1/clusterroles`, { metadata: { name: 'bot-crb' }, rules: [{ apiGroups: [RBAC], resources: ['clusterrolebindings'], verbs: ['create'] }] });
  await admin(`/apis/${RBAC}/v1/clusterrolebindings`, { metadata: { name: 'bot-crb' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'bot-crb' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'team' }] });
  await admin(ROLES, role('wide', [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }], { finalizers: ['x/keep'] }));
  const tr = await admin('/api/v1/namespaces/team/serviceaccounts/bot/token', { spec: { expirationSeconds: 3600 } });
  token = tr.json.status.token;
});

after(async () => {
  await sim.stop();
});

test('a role within what the writer holds is created; one beyond is refused with upstream\'s Forbidden', async () => {
  assert.equal((await asBot(ROLES, { method: 'POST', body: role('readers', [podsRead]) })).status, 201);
  const denied = await asBot(ROLES, { method: 'POST', body: role('writers', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] }]) });
  assert.equal(denied.status, 403);
  assert.equal(denied.json.reason, 'Forbidden');
  assert.deepEqual(denied.json.details, { name: 'writers', group: RBAC, kind: 'roles' });
  assert.equal(denied.json.message, `roles.${RBAC} "writers" ${notHeld}{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`);
  assert.equal((await adminRequest(sim, CLUSTER, `${ROLES}/writers`)).status, 404, 'nothing stored');
});

test('update, merge patch and server-side apply are checked the same way', async () => {
  const current = (await asBot(`${ROLES}/readers`)).json;
  const put = await asBot(`${ROLES}/readers`, { method: 'PUT', body: { ...current, rules: [...current.rules, { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] } });
  assert.equal(put.status, 403);
  assert.match(put.json.message, /\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}$/);
  const patch = await asBot(`${ROLES}/readers`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } });
  assert.equal(patch.status, 403);
  const apply = (name: string, rules: unknown[]) => asBot(`${ROLES}/${name}?fieldManager=bot`, { method: 'PATCH', contentType: 'application/apply-patch+yaml', body: JSON.stringify(role(name, rules)) });
  assert.equal((await apply('applied', [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }])).status, 403);
  assert.equal((await apply('applied', [podsRead])).status, 201);
  assert.equal((await apply('applied', [podsRead, { apiGroups: [''], resources: ['nodes'], verbs: ['list'] }])).status, 403);
  assert.deepEqual((await asBot(`${ROLES}/applied`)).json.rules, [podsRead]);
});

test('on a role granting more than the writer holds, only garbage-collection fields may change', async () => {
  const gc = await asBot(`${ROLES}/wide`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { finalizers: null } } });
  assert.equal(gc.status, 200);
  const label = await asBot(`${ROLES}/wide`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b' } } } });
  assert.equal(label.status, 403);
});

test('a binding needs bind on the role or its permissions; a missing role is NotFound', async () => {
  const bindings = `/apis/${RBAC}/v1/namespaces/team/rolebindings`;
  const binding = (name: string, kind: string, roleName: string) => ({ metadata: { name }, roleRef: { apiGroup: RBAC, kind, name: roleName }, subjects: [{ kind: 'User', name: 'eve' }] });
  assert.equal((await asBot(bindings, { method: 'POST', body: binding('readers', 'Role', 'readers') })).status, 201);
  const wide = await asBot(bindings, { method: 'POST', body: binding('wide', 'Role', 'wide') });
  assert.equal(wide.status, 403);
  assert.equal(wide.json.message, `rolebindings.${RBAC} "wide" ${notHeld}{APIGroups:[""], Resources:["secrets"], Verbs:["*"]}`);
  const missing = await asBot(bindings, { method: 'POST', body: binding('ghost', 'ClusterRole', 'no-such-role') });
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, `clusterroles.${RBAC} "no-such-role" not found`);
  // The admin is system:masters: no check, even for a role that does not exist yet.
  assert.equal((await adminRequest(sim, CLUSTER, bindings, { method: 'POST', body: binding('ghost', 'ClusterRole', 'no-such-role') })).status, 201);
});

test('protobuf bodies are read for the RBAC kinds, and escalation is checked on them too', async () => {
  const crb = (name: string, roleName: string) =>
    encodeKubeProtobuf(`${RBAC}/v1`, 'ClusterRoleBinding', [
      [1, [[1, name]]],
      [2, [[1, 'User'], [2, RBAC], [3, 'mallory']]],
      [3, [[1, RBAC], [2, 'ClusterRole'], [3, roleName]]],
    ]);
  const post = (who: 'admin' | 'bot', body: Buffer) => rawRequest(sim, `/clusters/${CLUSTER}/apis/${RBAC}/v1/clusterrolebindings`, { method: 'POST', token: who === 'admin' ? sim.adminToken(CLUSTER) : token, body, contentType: 'application/vnd.kubernetes.protobuf' });
  const created = await post('admin', crb('pb-view', 'view'));
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.json.roleRef, { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' });
  assert.deepEqual(created.json.subjects, [{ kind: 'User', apiGroup: RBAC, name: 'mallory' }]);
  const denied = await post('bot', crb('pb-admin', 'cluster-admin'));
  assert.equal(denied.status, 403);
  assert.match(denied.json.message, /^clusterrolebindings.rbac.authorization.k8s.io "pb-admin" is forbidden: .*\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}\n\{NonResourceURLs:\["\*"\], Verbs:\["\*"\]\}$/);
});
