import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLError } from 'graphql';
import { RateLimitedError } from '../auth/rate-limit.service';
import { DomainError, ErrorCode } from './domain.errors';
import { graphqlErrorFormatter } from './graphql-error.formatter';

function replyRecorder(authorization?: string) {
  const headers: Record<string, string> = {};
  return { headers, reply: { header: (n: string, v: string) => (headers[n] = v), request: { headers: { authorization } } } };
}

test('a cause that is not a GraphQL or domain error reaches the client as a generic internal error', () => {
  const driver = Object.assign(new Error('duplicate key value violates unique constraint "clusters_pkey" (SELECT secret FROM ...)'), { code: '23505' });
  const { response, statusCode } = graphqlErrorFormatter(false)({ data: { cluster: null }, errors: [new GraphQLError(driver.message, { originalError: driver, path: ['cluster'] })] }, {});
  assert.equal(statusCode, 200);
  assert.deepEqual(response.errors, [{ message: 'internal error', path: ['cluster'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
});

test('a domain error keeps its code and field', () => {
  const err = new DomainError(ErrorCode.BadUserInput, 'after: invalid pagination cursor', 'after');
  const { response } = graphqlErrorFormatter(false)({ data: {}, errors: [new GraphQLError(err.message, { originalError: err })] }, {});
  assert.deepEqual(response.errors[0].extensions, { code: 'BAD_USER_INPUT', field: 'after' });
});

test('suggestions are stripped only when introspection is off', () => {
  const e = new GraphQLError('Cannot query field "clusterz" on type "Query". Did you mean "clusters" or "cluster"?');
  assert.equal(graphqlErrorFormatter(true)({ errors: [e] }, {}).response.errors[0].message, 'Cannot query field "clusterz" on type "Query".');
  assert.match(graphqlErrorFormatter(false)({ errors: [e] }, {}).response.errors[0].message, /Did you mean/);
});

test('refusals get their HTTP status and headers; the code stays in the body', () => {
  const limited = new RateLimitedError('rate limit exceeded', 17);
  const a = replyRecorder('Bearer flt_x');
  const r = graphqlErrorFormatter(false)({ errors: [new GraphQLError(limited.message, { extensions: { code: limited.code, retryAfterSeconds: 17 } })] }, { reply: a.reply });
  assert.equal(r.statusCode, 429);
  assert.equal(a.headers['retry-after'], '17');
  assert.equal(r.response.errors[0].extensions?.code, 'RATE_LIMITED');

  const b = replyRecorder();
  const u = graphqlErrorFormatter(false)({ errors: [new GraphQLError('no token', { extensions: { code: 'UNAUTHENTICATED' } })] }, { reply: b.reply });
  assert.equal(u.statusCode, 401);
  assert.equal(b.headers['www-authenticate'], 'Bearer realm="flotilla"');

  const tooBig = graphqlErrorFormatter(false)({ errors: [new GraphQLError('too expensive', { extensions: { code: 'QUERY_TOO_EXPENSIVE' } })] }, {});
  assert.equal(tooBig.statusCode, 400);
});
