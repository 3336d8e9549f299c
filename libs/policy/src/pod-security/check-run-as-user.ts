import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, podSecurityContext } from './pod-spec.helpers';

/** Containers must not set runAsUser=0 (restricted, 1.23+). */
export const checkRunAsUser: PodSecurityCheck = {
  id: 'runAsUser',
  level: 'restricted',
  versions: [{ minimumVersion: 23, checkPod: (_meta, spec) => runAsUser(spec) }],
};

function runAsUser(spec: PodSpec) {
  const badSetters: string[] = [];
  if (podSecurityContext(spec)?.runAsUser === 0) badSetters.push('pod');
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.runAsUser === 0)
    .map((c) => c.name);
  if (bad.length > 0) badSetters.push(containersPhrase(bad));
  if (badSetters.length === 0) return ALLOWED;
  return { allowed: false, reason: 'runAsUser=0', detail: `${badSetters.join(' and ')} must not set runAsUser=0` };
}
