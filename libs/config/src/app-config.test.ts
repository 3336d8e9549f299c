import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, redactUrl } from './app-config';

test('defaults describe a local development setup', () => {
  const c = loadConfig({});
  assert.equal(c.database.url, 'postgres://postgres@127.0.0.1:5432/flotilla');
  assert.equal(c.queue.prefix, 'flotilla');
  assert.equal(c.sync.intervalSeconds, 60);
});

test('an invalid variable is named without echoing its value', () => {
  const secret = 'c2VjcmV0LXRvby1zaG9ydA==';
  assert.throws(
    () => loadConfig({ FLOTILLA_ENCRYPTION_KEY: secret, PORT: 'eighty' }),
    (err: Error) => /FLOTILLA_ENCRYPTION_KEY: must be 32 bytes/.test(err.message) && /PORT/.test(err.message) && !err.message.includes(secret),
  );
});

test('passwords are masked in URLs shown in logs', () => {
  assert.equal(redactUrl('postgres://u:hunter2@db:5432/x'), 'postgres://u:***@db:5432/x');
});

test('no proxy is trusted unless FLOTILLA_TRUST_PROXY names it', () => {
  assert.equal(loadConfig({}).api.trustProxy, false);
  assert.equal(loadConfig({ FLOTILLA_TRUST_PROXY: '1' }).api.trustProxy, 1);
  assert.deepEqual(loadConfig({ FLOTILLA_TRUST_PROXY: '127.0.0.1, ::1/128,loopback' }).api.trustProxy, ['127.0.0.1', '::1/128', 'loopback']);
  assert.throws(() => loadConfig({ FLOTILLA_TRUST_PROXY: 'true' }), /FLOTILLA_TRUST_PROXY/);
  assert.throws(() => loadConfig({ FLOTILLA_TRUST_PROXY: '127.0.0.1/33' }), /FLOTILLA_TRUST_PROXY/);
});

test('GraphiQL is off unless FLOTILLA_GRAPHIQL turns it on', () => {
  assert.equal(loadConfig({}).api.graphiql, false);
  assert.equal(loadConfig({ FLOTILLA_GRAPHIQL: 'true' }).api.graphiql, true);
  assert.throws(() => loadConfig({ FLOTILLA_GRAPHIQL: 'maybe' }), /FLOTILLA_GRAPHIQL/);
});

test('REDIS_CLUSTER_NODES names a Redis Cluster’s seed nodes; unset means one Redis at REDIS_URL', () => {
  assert.equal(loadConfig({}).redis.clusterNodes, null);
  assert.deepEqual(loadConfig({ REDIS_CLUSTER_NODES: 'redis-a.invalid:7000, [::1]:7001' }).redis.clusterNodes, [
    { host: 'redis-a.invalid', port: 7000 },
    { host: '::1', port: 7001 },
  ]);
  for (const bad of ['redis-a.invalid', 'redis-a.invalid:0', 'a.invalid:7000,,b.invalid:7001', 'a.invalid:99999']) {
    assert.throws(() => loadConfig({ REDIS_CLUSTER_NODES: bad }), /REDIS_CLUSTER_NODES: host:port/, bad);
  }
});
