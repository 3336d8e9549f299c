import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, isUnavailable } from './cluster-failure';
import { KubeApiError } from './kube-api.error';

test('the cluster itself is unavailable on no answer, a rejected token, throttling or a server error; not on a refused request', () => {
  const err = (status: number | null, transport = false) => new KubeApiError('m', status, null, transport);
  for (const e of [err(null, true), err(401), err(429), err(500), err(503)]) assert.equal(isUnavailable(e), true, String(e.statusCode));
  for (const e of [err(403), err(404), err(409), err(422), new Error('boom')]) assert.equal(isUnavailable(e), false);
});

test('failures read as operator words and never carry a token', () => {
  assert.match(describeFailure(new KubeApiError('GET /api/v1/nodes: HTTP 403 Forbidden: nodes is forbidden', 403, 'Forbidden', false)), /^Flotilla's service account is not allowed to read this \(403 Forbidden\): GET \/api\/v1\/nodes/);
  assert.doesNotMatch(describeFailure(new Error('dial failed with Authorization: Bearer flt_abcdefghijklmnop')), /flt_abcdefghijklmnop/);
});
