import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCE_CATALOGUE, UnknownKindError, apiVersionOf, collectionPath, isCataloguePath, kindOfObject, kindOfPlural, objectPath } from './resource-catalogue';

test('paths come from the catalogue: core and named groups, namespaced and cluster-scoped, names encoded', () => {
  assert.equal(collectionPath('Pod'), '/api/v1/pods');
  assert.equal(collectionPath('Pod', 'kube-system'), '/api/v1/namespaces/kube-system/pods');
  assert.equal(collectionPath('ClusterRole', 'ignored'), '/apis/rbac.authorization.k8s.io/v1/clusterroles');
  assert.equal(objectPath('Namespace', 'team-a'), '/api/v1/namespaces/team-a');
  assert.equal(objectPath('Cluster', 'tkg-prod-01', 'tkg-prod'), '/apis/cluster.x-k8s.io/v1beta1/namespaces/tkg-prod/clusters/tkg-prod-01');
  assert.equal(objectPath('NetworkPolicy', 'a/b', 'x'), '/apis/networking.k8s.io/v1/namespaces/x/networkpolicies/a%2Fb');
  assert.throws(() => objectPath('RoleBinding', 'rb'), /RoleBinding rb needs a namespace/);
  assert.equal(apiVersionOf('Deployment'), 'apps/v1');
  assert.equal(apiVersionOf('Node'), 'v1');
});

test('an object is known by its kind and apiVersion together; anything else is refused, naming the catalogue', () => {
  assert.equal(kindOfObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }), 'NetworkPolicy');
  assert.throws(() => kindOfObject({ apiVersion: 'v1', kind: 'Endpoints' }), (e: Error) => e instanceof UnknownKindError && /kind Endpoints is not in Flotilla's resource catalogue/.test(e.message));
  assert.throws(() => kindOfObject({ apiVersion: 'networking.k8s.io/v1beta1', kind: 'NetworkPolicy' }), /apiVersion networking\.k8s\.io\/v1beta1 \(the catalogue has networking\.k8s\.io\/v1\)/);
  assert.equal(kindOfPlural('daemonsets'), 'DaemonSet');
  assert.throws(() => kindOfPlural('endpoints'), /resource endpoints is not in/);
});

test('each plural names one kind, so a resource name is never ambiguous', () => {
  const plurals = Object.values(RESOURCE_CATALOGUE).map((r) => r.plural);
  assert.equal(new Set(plurals).size, plurals.length);
});

test('isCataloguePath accepts what Flotilla sends and nothing else', () => {
  const yes: Array<[string, string]> = [
    ['GET', '/version'],
    ['GET', '/readyz?verbose'],
    ['GET', '/metrics'],
    ['GET', '/api/v1/nodes?limit=500'],
    ['GET', '/api/v1/namespaces/kube-system/pods?limit=500&continue=abc'],
    ['GET', '/api/v1/namespaces/team-a'],
    ['PATCH', '/api/v1/namespaces/team-a'],
    ['GET', '/apis/cluster.x-k8s.io/v1beta1'],
    ['GET', '/apis/run.tanzu.vmware.com/v1alpha3/tanzukubernetesreleases'],
    ['GET', '/apis/vmoperator.vmware.com/v1alpha1/virtualmachineclasses'],
    ['GET', '/apis/storage.k8s.io/v1/storageclasses'],
    ['POST', '/apis/cluster.x-k8s.io/v1beta1/namespaces/tkg-dev/clusters'],
    ['DELETE', '/apis/cluster.x-k8s.io/v1beta1/namespaces/tkg-dev/clusters/tkg-dev-01'],
    ['PATCH', '/apis/cluster.x-k8s.io/v1beta1/namespaces/tkg-prod/clusters/tkg-prod-01'],
    ['PATCH', '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/flotilla-default-deny?fieldManager=flotilla&force=true'],
    ['PATCH', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/flotilla-view'],
    ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aaggregate-to-view'],
  ];
  const no: Array<[string, string]> = [
    ['POST', '/version'],
    ['GET', '/api/v1/secrets'], // directOnly: never through the agent
    ['GET', '/api/v1/namespaces/tkg-dev/secrets/tkg-dev-01-kubeconfig'],
    ['GET', '/api/v1/namespaces/flotilla-system/secrets/flotilla-agent-token'],
    ['PATCH', '/api/v1/namespaces/shop/pods/web'], // read only
    ['PATCH', '/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin'], // read only
    ['DELETE', '/api/v1/namespaces/shop'],
    ['GET', '/apis/apps/v1beta1/deployments'],
    ['GET', '/api/v1/namespaces/shop/pods/web/exec'],
    ['GET', '/api/v1/namespaces/shop/clusterroles'], // cluster-scoped kind under a namespace
    ['PATCH', '/apis/cluster.x-k8s.io/v1beta1/clusters/tkg-prod-01'], // namespaced kind without one
    ['GET', '/apis/../api/v1/secrets'],
    ['GET', '/api/v1/namespaces/%2e%2e/pods'],
    ['GET', '/api/v1/namespaces/a%2Fb/pods'],
    ['GET', '/api/v1/namespaces/%E0%A4%A/pods'],
    ['GET', '/_sim/clusters'],
    ['GET', '/openapi/v2'],
  ];
  for (const [m, p] of yes) assert.equal(isCataloguePath(m, p), true, `${m} ${p}`);
  for (const [m, p] of no) assert.equal(isCataloguePath(m, p), false, `${m} ${p}`);
});
