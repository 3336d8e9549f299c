import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy } from '../evaluate-policy';
import { cronJob, deployment, emptyWorkloads, pod, policy } from '../testing/snapshot.builders';

const registries = policy('IMAGE_REGISTRY', { allowedRegistries: ['registry.example.com', 'ghcr.io/acme/'] });

test('IMAGE_REGISTRY is compliant when every image comes from an allowed registry or prefix', () => {
  const result = evaluatePolicy(registries, {
    ...emptyWorkloads(),
    Pod: [pod('app', 'p', { containers: [{ name: 'a', image: 'registry.example.com/a:1' }, { name: 'b', image: 'ghcr.io/acme/b@sha256:00' }] })],
  });
  assert.equal(result.status, 'COMPLIANT');
});

test('IMAGE_REGISTRY checks containers, init and ephemeral containers of pods and of workload templates', () => {
  const result = evaluatePolicy(registries, {
    ...emptyWorkloads(),
    Pod: [pod('app', 'debug', { containers: [{ name: 'main', image: 'registry.example.com/a' }], ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] })],
    Deployment: [deployment('app', 'web', { initContainers: [{ name: 'init', image: 'ghcr.io/other/init:1' }], containers: [{ name: 'web', image: 'nginx:1.25' }] })],
    CronJob: [cronJob('app', 'nightly', { containers: [{ name: 'job', image: 'quay.io/x/y' }] })],
  });
  assert.deepEqual(result.violations, [
    {
      kind: 'CronJob',
      namespace: 'app',
      name: 'nightly',
      message: 'container "job" uses image "quay.io/x/y" from registry quay.io, which is not allowed (allowed: registry.example.com, ghcr.io/acme/)',
    },
    {
      kind: 'Deployment',
      namespace: 'app',
      name: 'web',
      message: 'container "web" uses image "nginx:1.25" (docker.io/library/nginx:1.25) from registry docker.io, which is not allowed (allowed: registry.example.com, ghcr.io/acme/)',
    },
    {
      kind: 'Deployment',
      namespace: 'app',
      name: 'web',
      message: 'init container "init" uses image "ghcr.io/other/init:1" from registry ghcr.io, which is not allowed (allowed: registry.example.com, ghcr.io/acme/)',
    },
    {
      kind: 'Pod',
      namespace: 'app',
      name: 'debug',
      message: 'ephemeral container "dbg" uses image "busybox" (docker.io/library/busybox) from registry docker.io, which is not allowed (allowed: registry.example.com, ghcr.io/acme/)',
    },
  ]);
});

test('IMAGE_REGISTRY exempts system namespaces unless the spec names them', () => {
  const snapshot = { ...emptyWorkloads(), Pod: [pod('kube-system', 'coredns', { containers: [{ name: 'c', image: 'registry.k8s.io/coredns' }] })] };
  assert.equal(evaluatePolicy(registries, snapshot).status, 'COMPLIANT');
  const named = policy('IMAGE_REGISTRY', { allowedRegistries: ['registry.example.com'], namespaces: ['kube-system'] });
  assert.deepEqual(evaluatePolicy(named, snapshot).violations.map((v) => v.name), ['coredns']);
});
