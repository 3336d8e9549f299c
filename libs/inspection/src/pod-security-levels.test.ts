import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podSecurityLevels } from './pod-security-levels';

const ns = (name: string, enforce?: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(enforce ? { labels: { 'pod-security.kubernetes.io/enforce': enforce } } : {}) } });
const pod = (namespace: string, name: string, securityContext: Record<string, unknown>, podSecurityContext: Record<string, unknown> = {}) => ({
  metadata: { name, namespace },
  spec: { securityContext: podSecurityContext, containers: [{ name: 'c', image: 'registry.example.com/app:1', securityContext }] },
});
const RESTRICTED = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };

test('each namespace gets the highest level all its pods meet, with its enforce label; an empty namespace meets restricted', () => {
  const levels = podSecurityLevels(
    [ns('payments', 'baseline'), ns('tools'), ns('empty')],
    [pod('payments', 'api', RESTRICTED), pod('payments', 'worker', {}), pod('tools', 'debug', { privileged: true }), pod('tools', 'ok', RESTRICTED)],
  );
  assert.deepEqual(levels, [
    { namespace: 'empty', highestLevel: 'restricted' },
    { namespace: 'payments', highestLevel: 'baseline', enforceLabel: 'baseline' },
    { namespace: 'tools', highestLevel: 'privileged' },
  ]);
});
