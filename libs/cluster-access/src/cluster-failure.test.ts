import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, isCredentialRejected, isUnavailable, transportFailureClass } from './cluster-failure';
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

test('the cluster itself is unavailable on no answer, a rejected token, throttling or a server error; not on a refused request', () => {
  const err = (status: number | null, transport = false) => new KubeApiError('m', status, null, transport);
  for (const e of [err(null, true), err(401), err(429), err(500), err(503)]) assert.equal(isUnavailable(e), true, String(e.statusCode));
  for (const e of [err(403), err(404), err(409), err(422), new Error('boom')]) assert.equal(isUnavailable(e), false);
});

test('failures read as operator words and never carry a token', () => {
  assert.match(describeFailure(new KubeApiError('GET /api/v1/nodes: HTTP 403 Forbidden: nodes is forbidden', 403, 'Forbidden', false)), /^Flotilla's service account is not allowed to do this \(403 Forbidden; flotilla cluster attach NAME --update refreshes its ClusterRole\): GET \/api\/v1\/nodes/);
  assert.doesNotMatch(describeFailure(new Error('dial failed with Authorization: Bearer flt_abcdefghijklmnop')), /flt_abcdefghijklmnop/);
});

test('a rejected or unbound credential is certain at once; an unanswered request is not', () => {
  assert.equal(isCredentialRejected(new KubeApiError('GET /version: HTTP 401 Unauthorized', 401, 'Unauthorized', false)), true);
  assert.equal(isCredentialRejected(new CredentialBindingError('x')), true);
  assert.equal(isCredentialRejected(new KubeApiError('GET /version: ECONNREFUSED', null, 'ECONNREFUSED', true)), false);
  assert.equal(isCredentialRejected(new KubeApiError('GET /api/v1/nodes: HTTP 403 Forbidden', 403, 'Forbidden', false)), false);
});
