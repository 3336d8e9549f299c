import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDeprecatedApiMetrics } from './deprecated-api-metrics';

const METRICS = `# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.
# TYPE apiserver_requested_deprecated_apis gauge
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1
apiserver_requested_deprecated_apis{removed_release="1.22",version="v1beta1",resource="ingresses",group="extensions",subresource=""} 1
apiserver_requested_deprecated_apis{group="apps",removed_release="1.16",resource="deployments",subresource="scale",version="v1beta1"} 1
apiserver_requested_deprecated_apis{group="",removed_release="",resource="componentstatuses",subresource="",version="v1"} 1
apiserver_requested_deprecated_apis{group="batch",removed_release="1.25",resource="cronjobs",subresource="",version="v1beta1"} 0
apiserver_requested_deprecated_apis_total{group="x",resource="y",version="v1"} 1
# HELP apiserver_request_total Counter of apiserver requests
apiserver_request_total{code="200",resource="pods",verb="LIST",version="v1"} 12345
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1 1732530000000
`;

test('every requested deprecated API series becomes one entry, with its labels in any order', () => {
  assert.deepEqual(parseDeprecatedApiMetrics(METRICS), [
    { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'flowschemas', removedRelease: '1.32' },
    { group: 'extensions', version: 'v1beta1', resource: 'ingresses', removedRelease: '1.22' },
    { group: 'apps', version: 'v1beta1', resource: 'deployments', subresource: 'scale', removedRelease: '1.16' },
    { group: '', version: 'v1', resource: 'componentstatuses' },
  ]);
});

test('series at 0, other metrics and comments are ignored', () => {
  const apis = parseDeprecatedApiMetrics(METRICS);
  assert.ok(!apis.some((a) => a.resource === 'cronjobs'));
  assert.ok(!apis.some((a) => a.resource === 'y' || a.resource === 'pods'));
});

test('escaped quotes and commas inside label values do not break parsing', () => {
  const text = 'apiserver_requested_deprecated_apis{group="ex\\"am,ple",resource="things",version="v1beta1",removed_release="1.40"} 1\r\n';
  assert.deepEqual(parseDeprecatedApiMetrics(text), [{ group: 'ex"am,ple', version: 'v1beta1', resource: 'things', removedRelease: '1.40' }]);
});

test('an API server that requested nothing deprecated yields an empty list', () => {
  assert.deepEqual(parseDeprecatedApiMetrics('# HELP apiserver_requested_deprecated_apis x\n# TYPE apiserver_requested_deprecated_apis gauge\n'), []);
  assert.deepEqual(parseDeprecatedApiMetrics(''), []);
});

test('malformed series are skipped, not guessed', () => {
  assert.deepEqual(parseDeprecatedApiMetrics('apiserver_requested_deprecated_apis{group="a",resource="b",version="v1 1\napiserver_requested_deprecated_apis{group="a"} 1\n'), []);
});
