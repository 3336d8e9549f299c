import { SECCOMP_BASELINE_ID, validSeccompType } from './check-seccomp-profile-baseline';
import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, isWindowsPod, joinQuote, obj, podSecurityContext, sortedSet, str } from './pod-spec.helpers';

/**
 * A seccomp profile must be set, to RuntimeDefault or Localhost, on the pod or every container
 * (restricted, 1.19+; replaces the baseline seccomp check). Windows pods are exempt from 1.25.
 */
export const checkSeccompProfileRestricted: PodSecurityCheck = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  versions: [
    { minimumVersion: 19, checkPod: (_meta, spec) => seccompRestricted(spec), overrides: [SECCOMP_BASELINE_ID] },
    {
      minimumVersion: 25,
      checkPod: (_meta, spec) => (isWindowsPod(spec) ? ALLOWED : seccompRestricted(spec)),
      overrides: [SECCOMP_BASELINE_ID],
    },
  ],
};

function seccompRestricted(spec: PodSpec) {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  let podSet = false;
  const podProfile = obj(podSecurityContext(spec)?.seccompProfile);
  if (podProfile) {
    if (validSeccompType(str(podProfile.type))) podSet = true;
    else {
      badSetters.push('pod');
      badValues.push(str(podProfile.type));
    }
  }
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  for (const container of containersOf(spec)) {
    const profile = obj(container.securityContext?.seccompProfile);
    if (profile) {
      if (!validSeccompType(str(profile.type))) {
        explicitlyBad.push(container.name);
        badValues.push(str(profile.type));
      }
    } else if (!podSet) {
      implicitlyBad.push(container.name);
    }
  }
  if (explicitlyBad.length > 0) badSetters.push(containersPhrase(explicitlyBad));
  if (badSetters.length > 0) {
    return {
      allowed: false,
      reason: 'seccompProfile',
      detail: `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
    };
  }
  if (implicitlyBad.length > 0) {
    return {
      allowed: false,
      reason: 'seccompProfile',
      detail: `pod or ${containersPhrase(implicitlyBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    };
  }
  return ALLOWED;
}
