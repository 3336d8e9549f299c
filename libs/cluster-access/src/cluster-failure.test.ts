import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, transportFailureClass } from './cluster-failure';
import { CredentialBindingError } from './credential-cipher';
import { KubeApiError } from './kube-api.error';

test('a transport failure is described by its class, never by the address it dialled', () => {
  const cases: Array<[string, string]> = [
    ['ECONNREFUSED', 'connection refused'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS certificate not trusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS certificate not trusted'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS certificate not trusted'],
    ['CERT_HAS_EXPIRED', 'TLS certificate expired or not yet valid'],
    ['ENOTFOUND', 'DNS name not found'],
    ['ETIMEDOUT', 'timed out'],
    ['ECONNRESET', 'connection reset'],
    ['EHOSTUNREACH', 'host unreachable'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS handshake failed'],
    ['EWHATEVER', 'connection failed'],
  ];
  for (const [code, expected] of cases) {
    const err = new KubeApiError(`GET /version: ${code}: connect ${code} 127.0.0.1:2379`, null, code, true);
    const reason = describeFailure(err);
    assert.equal(reason, `cannot reach the API server: ${expected}`, code);
    assert.ok(!reason.includes('127.0.0.1'), 'no host:port of the probe');
  }
  assert.equal(transportFailureClass('Transport', 'timed out after 2000 ms'), 'timed out');
});

test('answers and stored-credential failures say what to do', () => {
  assert.equal(describeFailure(new KubeApiError('GET /version: HTTP 401 Unauthorized', 401, 'Unauthorized', false)), 'credential rejected (401 Unauthorized): re-attach the cluster');
  assert.match(describeFailure(new KubeApiError('GET /api/v1/nodes: HTTP 403 Forbidden: nope', 403, 'Forbidden', false)), /^Flotilla's service account is not allowed to do this \(403 Forbidden; flotilla cluster attach NAME --update refreshes its ClusterRole\): GET \/api\/v1\/nodes/);
  assert.equal(describeFailure(new CredentialBindingError('x')), 'stored credential not valid for this API server URL: re-attach the cluster');
});
