import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, podSecurityContext } from './pod-spec.helpers';

/** Containers must run as non-root: runAsNonRoot=true on the pod or on every container (restricted, 1.0+). */
export const checkRunAsNonRoot: PodSecurityCheck = {
  id: 'runAsNonRoot',
  level: 'restricted',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => runAsNonRoot(spec) }],
};

function runAsNonRoot(spec: PodSpec) {
  const badSetters: string[] = [];
  const podValue = podSecurityContext(spec)?.runAsNonRoot;
  if (podValue === false) badSetters.push('pod');
  const podRunAsNonRoot = podValue === true;

  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  for (const container of containersOf(spec)) {
    const value = container.securityContext?.runAsNonRoot;
    if (typeof value === 'boolean') {
      if (!value) explicitlyBad.push(container.name);
    } else if (!podRunAsNonRoot) {
      implicitlyBad.push(container.name);
    }
  }
  if (explicitlyBad.length > 0) badSetters.push(containersPhrase(explicitlyBad));
  if (badSetters.length > 0) {
    return { allowed: false, reason: 'runAsNonRoot != true', detail: `${badSetters.join(' and ')} must not set securityContext.runAsNonRoot=false` };
  }
  if (implicitlyBad.length > 0) {
    return { allowed: false, reason: 'runAsNonRoot != true', detail: `pod or ${containersPhrase(implicitlyBad)} must set securityContext.runAsNonRoot=true` };
  }
  return ALLOWED;
}
