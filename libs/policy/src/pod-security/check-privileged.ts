import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase } from './pod-spec.helpers';

/** Privileged containers disable most security mechanisms (baseline, 1.0+). */
export const checkPrivileged: PodSecurityCheck = {
  id: 'privileged',
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => privileged(spec) }],
};

function privileged(spec: PodSpec) {
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.privileged === true)
    .map((c) => c.name);
  if (bad.length === 0) return ALLOWED;
  return { allowed: false, reason: 'privileged', detail: `${containersPhrase(bad)} must not set securityContext.privileged=true` };
}
