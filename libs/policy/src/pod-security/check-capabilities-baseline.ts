import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, joinQuote, list, obj, sortedSet } from './pod-spec.helpers';

export const CAPABILITIES_BASELINE_ID = 'capabilities_baseline';

// The container runtime's default capability set.
const DEFAULT_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Adding capabilities beyond the runtime's default set (baseline, 1.0+). */
export const checkCapabilitiesBaseline: PodSecurityCheck = {
  id: CAPABILITIES_BASELINE_ID,
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => capabilitiesBaseline(spec) }],
};

function capabilitiesBaseline(spec: PodSpec) {
  const badContainers: string[] = [];
  const added: string[] = [];
  for (const container of containersOf(spec)) {
    const bad = list(obj(container.securityContext?.capabilities)?.add).filter((c) => !DEFAULT_CAPABILITIES.has(String(c)));
    if (bad.length === 0) continue;
    badContainers.push(container.name);
    added.push(...bad.map(String));
  }
  if (badContainers.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'non-default capabilities',
    detail: `${containersPhrase(badContainers)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`,
  };
}
