import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../content/contract';
import { ObjectStore } from '../store/object-store';
import type { RequestInfo } from '../api/request-info';
import { RbacAuthorizer } from './rbac-authorizer';
import type { UserInfo } from './user-info';

const RBAC = 'rbac.authorization.k8s.io';
const sa: UserInfo = { username: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'], serviceAccount: { namespace: 'team', name: 'bot' } };

function store(objects: Array<[string, KubeObject]>): ObjectStore {
  const s = new ObjectStore(0);
  objects.forEach(([k, o], i) => s.load(k, o, i + 1));
  return s;
}

const req = (verb: string, resource: string, namespace?: string, name?: string, group = '', subresource?: string): RequestInfo => ({ isResource: true, verb, resource, namespace, name, group, version: 'v1', subresource });

const fixture = store([
  [`${RBAC}/clusterroles`, { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] }] } as KubeObject],
  [`${RBAC}/clusterroles`, { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'one-cm' }, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get', 'update'] }] } as KubeObject],
  [`${RBAC}/roles`, { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'deployer', namespace: 'team' }, rules: [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }] } as KubeObject],
  [`${RBAC}/clusterrolebindings`, { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'bot-reader' }, roleRef: { kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'team' }] } as KubeObject],
  [`${RBAC}/rolebindings`, { apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: 'bot-cm', namespace: 'team' }, roleRef: { kind: 'ClusterRole', name: 'one-cm' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:team' }] } as KubeObject],
  [`${RBAC}/rolebindings`, { apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: 'bot-deploy', namespace: 'team' }, roleRef: { kind: 'Role', name: 'deployer' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }] } as KubeObject],
]);

test('cluster role bindings grant everywhere; verbs and subresources must match', () => {
  const rbac = new RbacAuthorizer();
  assert.equal(rbac.authorize(fixture, sa, req('list', 'pods', 'anywhere')).allowed, true);
  assert.equal(rbac.authorize(fixture, sa, req('list', 'pods')).allowed, true);
  assert.equal(rbac.authorize(fixture, sa, req('get', 'pods', 'x', 'p', '', 'log')).allowed, true);
  assert.equal(rbac.authorize(fixture, sa, req('delete', 'pods', 'x', 'p')).allowed, false);
  assert.equal(rbac.authorize(fixture, sa, req('get', 'pods', 'x', 'p', '', 'exec')).allowed, false);
  assert.equal(rbac.authorize(fixture, sa, req('list', 'secrets', 'team')).allowed, false);
});

test('role bindings grant only in their namespace; resourceNames restrict to named objects', () => {
  const rbac = new RbacAuthorizer();
  assert.equal(rbac.authorize(fixture, sa, req('create', 'deployments', 'team', undefined, 'apps')).allowed, true);
  assert.equal(rbac.authorize(fixture, sa, req('create', 'deployments', 'other', undefined, 'apps')).allowed, false);
  assert.equal(rbac.authorize(fixture, sa, req('create', 'deployments', 'team', undefined, '')).allowed, false, 'apiGroups must match');
  assert.equal(rbac.authorize(fixture, sa, req('get', 'configmaps', 'team', 'settings')).allowed, true);
  assert.equal(rbac.authorize(fixture, sa, req('get', 'configmaps', 'team', 'other')).allowed, false);
  assert.equal(rbac.authorize(fixture, sa, req('list', 'configmaps', 'team')).allowed, false, 'a list names no object');
});

test('another service account of the same name elsewhere gets nothing from the binding', () => {
  const other: UserInfo = { ...sa, username: 'system:serviceaccount:else:bot', groups: ['system:authenticated'], serviceAccount: { namespace: 'else', name: 'bot' } };
  assert.equal(new RbacAuthorizer().authorize(fixture, other, req('list', 'pods', 'team')).allowed, false);
  assert.equal(new RbacAuthorizer().authorize(fixture, { username: 'admin', groups: ['system:masters'] }, req('delete', 'nodes')).allowed, true);
});
