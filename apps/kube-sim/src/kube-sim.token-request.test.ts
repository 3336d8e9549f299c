/**
 * TokenRequest (`POST …/serviceaccounts/<name>/token`) as kube-apiserver serves it: audiences,
 * expiry on the cluster's clock, RBAC on `create serviceaccounts/token` (resourceNames honoured),
 * tokens that act as their ServiceAccount until they expire, and `kube-root-ca.crt` with the CA.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type KubeSim, startKubeSim } from './kube-sim.server';
import { adminRequest, rawRequest } from './testing/kube-sim.test-helper';

const CLUSTER = 'tokens';
const RBAC = 'rbac.authorization.k8s.io';
const NS = 'flotilla-system';
let sim: KubeSim;

const admin = (path: string, body: unknown, method = 'POST') => adminRequest(sim, CLUSTER, path, { method, body });
const as = (token: string, path: string, opts: Parameters<typeof rawRequest>[2] = {}) => rawRequest(sim, `/clusters/${CLUSTER}${path}`, { token, ...opts });
const tokenPath = (name: string) => `/api/v1/namespaces/${NS}/serviceaccounts/${name}/token`;
const setClock = (offsetSeconds: number) => rawRequest(sim, `/_sim/clusters/${CLUSTER}/clock`, { method: 'PUT', body: { offsetSeconds } });

function claims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

before(async () => {
  sim = await startKubeSim({ clusters: [{ name: CLUSTER, flavor: 'generic', nodes: 1 }] });
  await admin('/api/v1/namespaces', { metadata: { name: NS } });
  for (const name of ['flotilla-agent', 'other']) await admin(`/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name } });
  // flotilla-agent may renew its own token (and read pods), nothing else.
  await admin(`/apis/${RBAC}/v1/namespaces/${NS}/roles`, {
    metadata: { name: 'renew' },
    rules: [
      { apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['flotilla-agent'], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ],
  });
  await admin(`/apis/${RBAC}/v1/namespaces/${NS}/rolebindings`, { metadata: { name: 'renew' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'renew' }, subjects: [{ kind: 'ServiceAccount', name: 'flotilla-agent', namespace: NS }] });
});

after(async () => {
  await setClock(0);
  await sim.stop();
});

test('a TokenRequest returns a token for the API audience by default, expiring after expirationSeconds on the cluster clock', async () => {
  await setClock(3600);
  const before = Math.floor(Date.now() / 1000) + 3600;
  const res = await admin(tokenPath('flotilla-agent'), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 900 } });
  const after = Math.ceil(Date.now() / 1000) + 3600;
  assert.equal(res.status, 201);
  assert.equal(res.json.kind, 'TokenRequest');
  assert.equal(res.json.apiVersion, 'authentication.k8s.io/v1');
  assert.deepEqual(res.json.spec.audiences, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(res.json.spec.expirationSeconds, 900);
  const exp = Date.parse(res.json.status.expirationTimestamp) / 1000;
  assert.ok(exp >= before + 900 && exp <= after + 900, `expires 900 s after the cluster's (shifted) now: ${res.json.status.expirationTimestamp}`);
  const c = claims(res.json.status.token);
  assert.equal(c.exp, exp);
  assert.equal(c.sub, `system:serviceaccount:${NS}:flotilla-agent`);
  assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local']);
  await setClock(0);

  const whoami = await as(res.json.status.token, '/apis/authentication.k8s.io/v1/selfsubjectreviews', { method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  assert.equal(whoami.status, 201);
  assert.equal(whoami.json.status.userInfo.username, `system:serviceaccount:${NS}:flotilla-agent`);
  assert.ok(whoami.json.status.userInfo.groups.includes(`system:serviceaccounts:${NS}`));
});

test('the token acts with the ServiceAccount\'s RBAC, never more', async () => {
  const token = (await admin(tokenPath('flotilla-agent'), { spec: { expirationSeconds: 600 } })).json.status.token;
  assert.equal((await as(token, `/api/v1/namespaces/${NS}/pods`)).status, 200, 'the Role grants list pods');
  const secrets = await as(token, `/api/v1/namespaces/${NS}/secrets`);
  assert.equal(secrets.status, 403);
  assert.equal(secrets.json.reason, 'Forbidden');
  assert.equal((await as(token, '/api/v1/namespaces')).status, 403);
});

test('RBAC is enforced on create serviceaccounts/token, resourceNames included', async () => {
  const agent = (await admin(tokenPath('flotilla-agent'), { spec: { expirationSeconds: 600 } })).json.status.token;
  const renewed = await as(agent, tokenPath('flotilla-agent'), { method: 'POST', body: { spec: { expirationSeconds: 600 } } });
  assert.equal(renewed.status, 201, 'the SA renews its own token');
  assert.notEqual(renewed.json.status.token, undefined);

  const forOther = await as(agent, tokenPath('other'), { method: 'POST', body: { spec: { expirationSeconds: 600 } } });
  assert.equal(forOther.status, 403, 'resourceNames [flotilla-agent] covers no other ServiceAccount');
  assert.match(forOther.json.message, /serviceaccounts\/token "other" is forbidden: User "system:serviceaccount:flotilla-system:flotilla-agent" cannot create resource "serviceaccounts\/token" in API group "" in the namespace "flotilla-system"/);

  const other = (await admin(tokenPath('other'), { spec: { expirationSeconds: 600 } })).json.status.token;
  assert.equal((await as(other, tokenPath('other'), { method: 'POST', body: { spec: { expirationSeconds: 600 } } })).status, 403, 'without a grant no SA mints tokens, not even its own');

  // Take the grant away: renewal is refused from then on, the token already issued still works.
  assert.equal((await adminRequest(sim, CLUSTER, `/apis/${RBAC}/v1/namespaces/${NS}/rolebindings/renew`, { method: 'DELETE' })).status, 200);
  try {
    assert.equal((await as(agent, tokenPath('flotilla-agent'), { method: 'POST', body: { spec: { expirationSeconds: 600 } } })).status, 403);
    assert.equal((await as(agent, '/apis/authentication.k8s.io/v1/selfsubjectreviews', { method: 'POST', body: { kind: 'SelfSubjectReview' } })).status, 201);
  } finally {
    await admin(`/apis/${RBAC}/v1/namespaces/${NS}/rolebindings`, { metadata: { name: 'renew' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'renew' }, subjects: [{ kind: 'ServiceAccount', name: 'flotilla-agent', namespace: NS }] });
  }
});

test('expiry: the token is refused with 401 once the cluster clock passes it; shorter than 10 minutes is invalid', async () => {
  const res = await admin(tokenPath('flotilla-agent'), { spec: { expirationSeconds: 600 } });
  const token = res.json.status.token;
  assert.equal((await as(token, `/api/v1/namespaces/${NS}/pods`)).status, 200);
  assert.equal((await setClock(590)).status, 200);
  assert.equal((await as(token, `/api/v1/namespaces/${NS}/pods`)).status, 200, 'still valid just before expiry');
  await setClock(601);
  const expired = await as(token, `/api/v1/namespaces/${NS}/pods`);
  assert.equal(expired.status, 401);
  assert.equal(expired.json.reason, 'Unauthorized');
  // A token minted now (on the moved clock) is valid again.
  const fresh = (await admin(tokenPath('flotilla-agent'), { spec: { expirationSeconds: 600 } })).json.status.token;
  assert.equal((await as(fresh, `/api/v1/namespaces/${NS}/pods`)).status, 200);
  await setClock(0);

  const short = await admin(tokenPath('flotilla-agent'), { spec: { expirationSeconds: 599 } });
  assert.equal(short.status, 422);
  assert.equal(short.json.reason, 'Invalid');
  assert.equal(short.json.details.causes[0].field, 'spec.expirationSeconds');
  assert.match(short.json.details.causes[0].message, /less than 10 minutes/);
  assert.equal((await admin(tokenPath('missing'), { spec: { expirationSeconds: 600 } })).status, 404);
});

test('audiences: a token for another audience is no API credential; deleting the ServiceAccount revokes its tokens', async () => {
  const vault = await admin(tokenPath('other'), { spec: { audiences: ['vault'], expirationSeconds: 600 } });
  assert.deepEqual(vault.json.spec.audiences, ['vault']);
  assert.deepEqual(claims(vault.json.status.token).aud, ['vault']);
  assert.equal((await as(vault.json.status.token, '/api/v1/namespaces')).status, 401);

  await admin(`/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: 'temp' } });
  const temp = (await admin(tokenPath('temp'), { spec: { expirationSeconds: 600 } })).json.status.token;
  const review = { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' };
  assert.equal((await as(temp, '/apis/authentication.k8s.io/v1/selfsubjectreviews', { method: 'POST', body: review })).status, 201);
  await adminRequest(sim, CLUSTER, `/api/v1/namespaces/${NS}/serviceaccounts/temp`, { method: 'DELETE' });
  await admin(`/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: 'temp' } });
  assert.equal((await as(temp, '/apis/authentication.k8s.io/v1/selfsubjectreviews', { method: 'POST', body: review })).status, 401, 'a recreated ServiceAccount (new uid) does not revive old tokens');
});

test('every namespace, generated or created, has kube-root-ca.crt with the cluster CA', async () => {
  const all = await adminRequest(sim, CLUSTER, '/api/v1/configmaps?fieldSelector=metadata.name%3Dkube-root-ca.crt');
  const namespaces = await adminRequest(sim, CLUSTER, '/api/v1/namespaces');
  const names = namespaces.json.items.map((n: any) => n.metadata.name).sort();
  assert.ok(names.includes('kube-system') && names.includes(NS));
  assert.deepEqual(all.json.items.map((c: any) => c.metadata.namespace).sort(), names);
  for (const cm of all.json.items) {
    assert.equal(cm.data['ca.crt'], sim.caPem, `kube-root-ca.crt in ${cm.metadata.namespace}`);
  }
  const cert = new X509Certificate(sim.caPem!);
  assert.ok(cert.ca, 'the bundle is the CA that signed the serving certificate');
});
