import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './cli-error';
import { GraphqlClient, GraphqlRequestError, graphqlEndpoint } from './graphql-client';
import { operationText } from './operations';
import { startFakeGraphqlApi } from './testing/fake-graphql-api';

test('requests go to <api>/graphql whether or not --api names the endpoint', () => {
  assert.equal(graphqlEndpoint('http://127.0.0.1:4000'), 'http://127.0.0.1:4000/graphql');
  assert.equal(graphqlEndpoint('https://flotilla.example.com/api/'), 'https://flotilla.example.com/api/graphql');
  assert.equal(graphqlEndpoint('http://127.0.0.1:4000/graphql'), 'http://127.0.0.1:4000/graphql');
  assert.throws(() => graphqlEndpoint('127.0.0.1:4000'), CliError);
  assert.throws(() => graphqlEndpoint('ftp://x'), /use http/);
});

test('an operation is POSTed with its contract text, its name, variables and the bearer token', async () => {
  const api = await startFakeGraphqlApi({ CliClusters: () => ({ data: { clusters: { ok: true } } }) });
  try {
    const data = await new GraphqlClient({ api: api.url, token: 'flt_abc' }).request('CliClusters', { first: 100, after: null });
    assert.deepEqual(data, { clusters: { ok: true } });
    assert.deepEqual(api.requests[0], {
      path: '/graphql',
      authorization: 'Bearer flt_abc',
      operationName: 'CliClusters',
      query: operationText('CliClusters'),
      variables: { first: 100, after: null },
    });
  } finally {
    await api.stop();
  }
});

test('GraphQL errors carry their message, the field and the code; the token never shows', async () => {
  const api = await startFakeGraphqlApi({
    CliWhoAmI: () => ({ errors: [{ message: 'name must not be empty', extensions: { code: 'BAD_USER_INPUT', field: 'input.name' } }] }),
    CliClusters: () => ({ errors: [{ message: 'token flt_abc revoked', extensions: { code: 'UNAUTHENTICATED' } }] }),
    ClusterGroups: () => ({ status: 401, errors: [] }),
    ClusterList: () => ({ errors: [{ message: 'cannot use token flt_abc here', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }),
  });
  const client = new GraphqlClient({ api: api.url, token: 'flt_abc' });
  try {
    await assert.rejects(client.request('CliWhoAmI'), (err: GraphqlRequestError) => {
      assert.equal(err.message, 'name must not be empty (field: input.name)');
      assert.equal(err.code, 'BAD_USER_INPUT');
      return true;
    });
    await assert.rejects(client.request('CliClusters'), { message: 'not logged in or token expired/revoked: run flotilla login' });
    await assert.rejects(client.request('ClusterGroups'), /not logged in/);
    await assert.rejects(client.request('ClusterList'), { message: 'cannot use token *** here' });
  } finally {
    await api.stop();
  }
});

test('an unreachable API is named with the reason', async () => {
  const api = await startFakeGraphqlApi({});
  await api.stop();
  await assert.rejects(new GraphqlClient({ api: api.url, token: 't' }).request('CliWhoAmI'), /cannot reach the Flotilla API at http:\/\/127\.0\.0\.1:\d+\/graphql: ECONNREFUSED/);
});
