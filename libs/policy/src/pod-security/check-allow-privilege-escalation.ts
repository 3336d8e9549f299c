import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, isWindowsPod } from './pod-spec.helpers';

/**
 * Containers must set allowPrivilegeEscalation=false (restricted, 1.8+ when the field appeared).
 * From 1.25 a Windows pod is exempt: the field does not exist there and validation forbids it.
 */
export const checkAllowPrivilegeEscalation: PodSecurityCheck = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  versions: [
    { minimumVersion: 8, checkPod: (_meta, spec) => allowPrivilegeEscalation(spec) },
    { minimumVersion: 25, checkPod: (_meta, spec) => (isWindowsPod(spec) ? ALLOWED : allowPrivilegeEscalation(spec)) },
  ],
};

function allowPrivilegeEscalation(spec: PodSpec) {
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  if (bad.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
  };
}
