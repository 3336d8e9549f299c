import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, joinQuote, sortedSet } from './pod-spec.helpers';

export const PROC_MOUNT_ID = 'procMount';

/**
 * The default /proc masks (baseline). From 1.35 a pod in its own user namespace (hostUsers: false)
 * may unmask /proc, since that no longer exposes the host.
 */
export const checkProcMount: PodSecurityCheck = {
  id: PROC_MOUNT_ID,
  level: 'baseline',
  versions: [
    { minimumVersion: 0, checkPod: (_meta, spec) => procMountDefaultOnly(spec) },
    { minimumVersion: 35, checkPod: (_meta, spec) => (spec.hostUsers === false ? ALLOWED : procMountDefaultOnly(spec)) },
  ],
};

/** Only unset or "Default" (also the restricted check). */
export function procMountDefaultOnly(spec: PodSpec) {
  const badContainers: string[] = [];
  const badTypes: string[] = [];
  for (const container of containersOf(spec)) {
    const procMount = container.securityContext?.procMount;
    if (procMount === undefined || procMount === null || procMount === 'Default') continue;
    badContainers.push(container.name);
    badTypes.push(String(procMount));
  }
  if (badContainers.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'procMount',
    detail: `${containersPhrase(badContainers)} must not set securityContext.procMount to ${joinQuote(sortedSet(badTypes))}`,
  };
}
