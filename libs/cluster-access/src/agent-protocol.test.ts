import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentEndpointFor, checkAgentEndpoint } from './agent-protocol';
import { isCataloguePath } from './resource-catalogue';

test('the agent endpoint follows FLOTILLA_PUBLIC_URL: wss for https, under its path', () => {
  assert.equal(agentEndpointFor('https://flotilla.example.com'), 'wss://flotilla.example.com/agent/v1/connect');
  assert.equal(agentEndpointFor('https://example.com/flotilla/'), 'wss://example.com/flotilla/agent/v1/connect');
  assert.equal(agentEndpointFor('http://127.0.0.1:4000'), 'ws://127.0.0.1:4000/agent/v1/connect');
});

test('plain ws:// only to loopback; anything else must be wss://', () => {
  assert.equal(checkAgentEndpoint('wss://flotilla.example.com/agent/v1/connect'), null);
  assert.equal(checkAgentEndpoint('ws://127.0.0.1:4001/agent/v1/connect'), null);
  assert.equal(checkAgentEndpoint('ws://localhost:4001/agent/v1/connect'), null);
  assert.match(checkAgentEndpoint('ws://flotilla.example.com/agent/v1/connect') ?? '', /not loopback: use wss/);
  assert.match(checkAgentEndpoint('ws://agents.flotilla.invalid:4001/agent/v1/connect') ?? '', /not loopback/);
  assert.match(checkAgentEndpoint('https://flotilla.example.com') ?? '', /must be a wss/);
  assert.match(checkAgentEndpoint('not a url') ?? '', /not a URL/);
});

test('what the agent forwards: catalogue reads and the writes ENFORCE and upgrades make, nothing else', () => {
  for (const [method, path] of [
    ['GET', '/version'],
    ['GET', '/api/v1/nodes?limit=500'],
    ['PATCH', '/api/v1/namespaces/team-a'],
    ['POST', '/apis/networking.k8s.io/v1/namespaces/team-a/networkpolicies'],
    ['PATCH', '/apis/cluster.x-k8s.io/v1beta1/namespaces/default/clusters/wl-1'],
  ]) assert.equal(isCataloguePath(method, path), true, `${method} ${path}`);
  for (const [method, path] of [
    ['GET', '/api/v1/namespaces/flotilla-system/secrets/flotilla-agent-registration'],
    ['GET', '/api/v1/secrets'],
    ['POST', '/api/v1/namespaces/default/pods'],
    ['DELETE', '/api/v1/namespaces/team-a'],
    ['GET', '/api/v1/namespaces/default/pods/x/exec'],
    ['POST', '/apis/authentication.k8s.io/v1/tokenreviews'],
    ['GET', '/api/v1/namespaces/../secrets'],
  ]) assert.equal(isCataloguePath(method, path), false, `${method} ${path}`);
});
