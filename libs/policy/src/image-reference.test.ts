import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageAllowed, normaliseImage } from './image-reference';

test('Docker Hub short names resolve to docker.io/library', () => {
  assert.deepEqual(normaliseImage('nginx'), { registry: 'docker.io', reference: 'docker.io/library/nginx' });
  assert.deepEqual(normaliseImage('nginx:1.25'), { registry: 'docker.io', reference: 'docker.io/library/nginx:1.25' });
  assert.deepEqual(normaliseImage('nginx@sha256:abc'), { registry: 'docker.io', reference: 'docker.io/library/nginx@sha256:abc' });
  assert.deepEqual(normaliseImage('docker.io/nginx'), { registry: 'docker.io', reference: 'docker.io/library/nginx' });
  assert.deepEqual(normaliseImage('index.docker.io/library/nginx'), { registry: 'docker.io', reference: 'docker.io/library/nginx' });
});

test('a user repository on Docker Hub keeps its path', () => {
  assert.deepEqual(normaliseImage('acme/app:2'), { registry: 'docker.io', reference: 'docker.io/acme/app:2' });
});

test('the first component is a registry when it has a dot, a port, or is localhost', () => {
  assert.equal(normaliseImage('ghcr.io/acme/app').registry, 'ghcr.io');
  assert.equal(normaliseImage('registry:5000/app').registry, 'registry:5000');
  assert.equal(normaliseImage('localhost/app').registry, 'localhost');
  assert.equal(normaliseImage('Registry.Example.com/app').registry, 'registry.example.com');
});

test('host entries match the registry exactly; prefix entries match the path', () => {
  const allowed = ['registry.example.com', 'ghcr.io/acme/'];
  assert.equal(imageAllowed(normaliseImage('registry.example.com/team/app:1'), allowed), true);
  assert.equal(imageAllowed(normaliseImage('ghcr.io/acme/app:1'), allowed), true);
  assert.equal(imageAllowed(normaliseImage('ghcr.io/acme-evil/app:1'), allowed), false);
  assert.equal(imageAllowed(normaliseImage('ghcr.io/other/app'), allowed), false);
  assert.equal(imageAllowed(normaliseImage('evil.registry.example.com/app'), allowed), false);
  assert.equal(imageAllowed(normaliseImage('nginx'), allowed), false);
  assert.equal(imageAllowed(normaliseImage('nginx'), ['docker.io/library/']), true);
  assert.equal(imageAllowed(normaliseImage('nginx'), ['index.docker.io']), true);
});
