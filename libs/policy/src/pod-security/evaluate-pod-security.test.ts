import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podSpecsOf } from '../workloads';
import { evaluatePodSecurity, highestPodSecurityLevel } from './evaluate-pod-security';

const restrictedSpec = () => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', image: 'i', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
});

test('forbidden entries carry upstream’s control ID, reason and detail', () => {
  const result = evaluatePodSecurity('baseline', 'latest', undefined, { containers: [{ name: 'foo', securityContext: { privileged: true } }] });
  assert.deepEqual(result, {
    allowed: false,
    forbidden: [{ control: 'privileged', reason: 'privileged', detail: 'container "foo" must not set securityContext.privileged=true' }],
  });
});

test('details list containers in init, regular, ephemeral order and pluralise like upstream', () => {
  const spec = {
    initContainers: [{ name: 'i' }],
    containers: [{ name: 'c' }],
    ephemeralContainers: [{ name: 'e', securityContext: { allowPrivilegeEscalation: true } }],
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  };
  const result = evaluatePodSecurity('restricted', 'v1.30', undefined, spec);
  assert.deepEqual(result.forbidden[0], {
    control: 'allowPrivilegeEscalation',
    reason: 'allowPrivilegeEscalation != false',
    detail: 'containers "i", "c", "e" must set securityContext.allowPrivilegeEscalation=false',
  });
});

test('checks apply from their minimum version: allowPrivilegeEscalation from 1.8, runAsUser from 1.23', () => {
  const spec = { ...restrictedSpec(), containers: [{ name: 'app', securityContext: { runAsUser: 0, capabilities: { drop: ['ALL'] } } }] };
  const controls = (version: string) => evaluatePodSecurity('restricted', version, undefined, spec).forbidden.map((f) => f.control);
  assert.deepEqual(controls('v1.7'), []);
  assert.deepEqual(controls('v1.8'), ['allowPrivilegeEscalation']);
  assert.deepEqual(controls('v1.23'), ['allowPrivilegeEscalation', 'runAsUser']);
});

test('seccomp is checked on annotations up to 1.18 and on fields from 1.19', () => {
  const annotated = { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } };
  assert.deepEqual(evaluatePodSecurity('baseline', 'v1.18', annotated, { containers: [{ name: 'c' }] }).forbidden, [
    { control: 'seccompProfile_baseline', reason: 'seccompProfile', detail: 'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"' },
  ]);
  assert.equal(evaluatePodSecurity('baseline', 'v1.19', annotated, { containers: [{ name: 'c' }] }).allowed, true);
  const field = { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'c' }] };
  assert.equal(evaluatePodSecurity('baseline', 'v1.18', undefined, field).allowed, true);
  assert.equal(evaluatePodSecurity('baseline', 'v1.19', undefined, field).forbidden[0].detail, 'pod must not set securityContext.seccompProfile.type to "Unconfined"');
});

test('the sysctl allow-list grows with the version', () => {
  const spec = (name: string) => ({ securityContext: { sysctls: [{ name, value: '1' }] }, containers: [{ name: 'c' }] });
  const allowed = (name: string, version: string) => evaluatePodSecurity('baseline', version, undefined, spec(name)).allowed;
  assert.equal(allowed('net.ipv4.ip_local_reserved_ports', 'v1.26'), false);
  assert.equal(allowed('net.ipv4.ip_local_reserved_ports', 'v1.27'), true);
  assert.equal(allowed('net.ipv4.tcp_keepalive_time', 'v1.29'), true);
  assert.equal(allowed('net.ipv4.tcp_rmem', 'v1.31'), false);
  assert.equal(allowed('net.ipv4.tcp_rmem', 'v1.32'), true);
  assert.equal(allowed('net.ipv4.tcp_notsent_lowat', 'v1.36'), false);
  assert.equal(allowed('net.ipv4.tcp_notsent_lowat', 'latest'), true);
  assert.deepEqual(evaluatePodSecurity('baseline', 'latest', undefined, spec('kernel.msgmax')).forbidden, [
    { control: 'sysctls', reason: 'forbidden sysctls', detail: 'kernel.msgmax' },
  ]);
});

test('versions newer than any check evaluate as latest; invalid or pre-1.0 versions are errors', () => {
  const spec = { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_notsent_lowat' }] }, containers: [{ name: 'c' }] };
  assert.equal(evaluatePodSecurity('baseline', 'v1.99', undefined, spec).allowed, true);
  for (const bad of ['v0.9', '1.30', 'v2.1', 'v1.030', '', 'newest']) {
    assert.throws(() => evaluatePodSecurity('baseline', bad, undefined, spec), /"latest" or "v1\.N"/, bad);
  }
  assert.throws(() => evaluatePodSecurity('privileged' as 'baseline', 'latest', undefined, spec), /level/);
});

test('restricted replaces baseline checks it tightens, so one problem is reported once', () => {
  const spec = { ...restrictedSpec(), containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_RAW'] } } }] };
  assert.deepEqual(evaluatePodSecurity('restricted', 'latest', undefined, spec).forbidden, [
    { control: 'capabilities_restricted', reason: 'unrestricted capabilities', detail: 'container "c" must not include "NET_RAW" in securityContext.capabilities.add' },
  ]);
  assert.deepEqual(evaluatePodSecurity('baseline', 'latest', undefined, spec).forbidden, [
    { control: 'capabilities_baseline', reason: 'non-default capabilities', detail: 'container "c" must not include "NET_RAW" in securityContext.capabilities.add' },
  ]);
});

test('Windows pods are exempt from the Linux-only restricted fields from 1.25', () => {
  const windows = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'c' }] };
  assert.equal(evaluatePodSecurity('restricted', 'v1.25', undefined, windows).allowed, true);
  assert.deepEqual(evaluatePodSecurity('restricted', 'v1.24', undefined, windows).forbidden.map((f) => f.control), [
    'allowPrivilegeEscalation',
    'capabilities_restricted',
    'seccompProfile_restricted',
  ]);
});

test('baseline allows an unmasked /proc in a user namespace from 1.35; restricted never does', () => {
  const spec = { hostUsers: false, containers: [{ name: 'c', securityContext: { procMount: 'Unmasked' } }] };
  assert.equal(evaluatePodSecurity('baseline', 'v1.34', undefined, spec).allowed, false);
  assert.equal(evaluatePodSecurity('baseline', 'v1.35', undefined, spec).allowed, true);
  const restricted = { ...restrictedSpec(), hostUsers: false, containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, procMount: 'Unmasked' } }] };
  assert.deepEqual(evaluatePodSecurity('restricted', 'v1.35', undefined, restricted).forbidden, [
    { control: 'procMount_restricted', reason: 'procMount', detail: 'container "c" must not set securityContext.procMount to "Unmasked"' },
  ]);
});

test('restricted volumes name the volume and its type; a volume without a source is the defaulted emptyDir', () => {
  const spec = { ...restrictedSpec(), volumes: [{ name: 'defaulted' }, { name: 'data', hostPath: { path: '/var' } }, { name: 'nfs', nfs: { server: 's', path: '/' } }] };
  assert.deepEqual(evaluatePodSecurity('restricted', 'latest', undefined, spec).forbidden, [
    { control: 'restrictedVolumes', reason: 'restricted volume types', detail: 'volumes "data", "nfs" use restricted volume types "hostPath", "nfs"' },
  ]);
});

test('AppArmor: unconfined fields and annotations are both refused', () => {
  const meta = { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } };
  const spec = { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [{ name: 'c', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } } }] };
  assert.deepEqual(evaluatePodSecurity('baseline', 'latest', meta, spec).forbidden, [
    {
      control: 'appArmorProfile',
      reason: 'forbidden AppArmor profiles',
      // joinQuote wraps without escaping, so the annotation's own quotes appear as they are.
      detail: 'pod and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/c="unconfined""',
    },
  ]);
});

test('SELinux, hostPort, host namespaces and probe hosts read as upstream', () => {
  const spec = {
    hostNetwork: true,
    hostPID: true,
    securityContext: { seLinuxOptions: { type: 'spc_t', user: 'root' } },
    containers: [
      { name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 9, hostPort: 9 }], livenessProbe: { httpGet: { host: 'example.com', port: 80 } } },
    ],
  };
  assert.deepEqual(
    evaluatePodSecurity('baseline', 'latest', undefined, spec).forbidden.map((f) => `${f.reason} (${f.detail})`),
    [
      'host namespaces (hostNetwork, hostPID)',
      'hostPort (container "a" uses hostPorts 8080, 9)',
      'probe or lifecycle host (container "a" uses probe or lifecycle host "example.com")',
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)',
    ],
  );
});

test('highestPodSecurityLevel is the strictest level every pod meets', () => {
  const privileged = { spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] } };
  const baselineOnly = { spec: { containers: [{ name: 'c' }] } };
  const restricted = { spec: restrictedSpec() };
  assert.equal(highestPodSecurityLevel('latest', [restricted]), 'restricted');
  assert.equal(highestPodSecurityLevel('latest', [restricted, baselineOnly]), 'baseline');
  assert.equal(highestPodSecurityLevel('latest', [restricted, privileged]), 'privileged');
  assert.equal(highestPodSecurityLevel('latest', []), 'restricted');
  assert.throws(() => highestPodSecurityLevel('v0.1', []), /v1\.N/);
});

test('podSpecsOf finds the pod spec of pods and of every workload kind', () => {
  const spec = { containers: [{ name: 'c' }] };
  const template = { metadata: { annotations: { a: 'b' } }, spec };
  const meta = { name: 'x', namespace: 'n' };
  assert.deepEqual(podSpecsOf({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec }), [{ metadata: meta, spec }]);
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']) {
    assert.deepEqual(podSpecsOf({ apiVersion: 'apps/v1', kind, metadata: meta, spec: { template } }), [{ metadata: template.metadata, spec }], kind);
  }
  assert.deepEqual(podSpecsOf({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta, spec: { jobTemplate: { spec: { template } } } }), [{ metadata: template.metadata, spec }]);
  assert.deepEqual(podSpecsOf({ apiVersion: 'v1', kind: 'Service', metadata: meta, spec: {} }), []);
  assert.deepEqual(podSpecsOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta }), []);
});

test('podSpecsOf recognises list items, which carry no kind, by their shape', () => {
  const spec = { containers: [{ name: 'c' }] };
  const meta = { name: 'x' };
  const item = (body: Record<string, unknown>) => ({ apiVersion: '', kind: '', metadata: meta, ...body });
  assert.deepEqual(podSpecsOf(item({ spec })), [{ metadata: meta, spec }]);
  assert.deepEqual(podSpecsOf(item({ spec: { template: { spec } } })), [{ metadata: {}, spec }]);
  assert.deepEqual(podSpecsOf(item({ spec: { jobTemplate: { spec: { template: { spec } } } } })), [{ metadata: {}, spec }]);
  assert.deepEqual(podSpecsOf(item({ data: {} })), []);
});
