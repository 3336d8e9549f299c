import { CAPABILITIES_BASELINE_ID } from './check-capabilities-baseline';
import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, isWindowsPod, joinQuote, list, obj, sortedSet } from './pod-spec.helpers';

/**
 * Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE (restricted, 1.22+;
 * replaces the baseline capabilities check). Windows pods are exempt from 1.25.
 */
export const checkCapabilitiesRestricted: PodSecurityCheck = {
  id: 'capabilities_restricted',
  level: 'restricted',
  versions: [
    { minimumVersion: 22, checkPod: (_meta, spec) => capabilitiesRestricted(spec), overrides: [CAPABILITIES_BASELINE_ID] },
    {
      minimumVersion: 25,
      checkPod: (_meta, spec) => (isWindowsPod(spec) ? ALLOWED : capabilitiesRestricted(spec)),
      overrides: [CAPABILITIES_BASELINE_ID],
    },
  ],
};

function capabilitiesRestricted(spec: PodSpec) {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbidden: string[] = [];
  for (const container of containersOf(spec)) {
    const capabilities = obj(container.securityContext?.capabilities);
    if (!capabilities) {
      missingDropAll.push(container.name);
      continue;
    }
    if (!list(capabilities.drop).includes('ALL')) missingDropAll.push(container.name);
    const added = list(capabilities.add).filter((c) => c !== 'NET_BIND_SERVICE');
    if (added.length > 0) {
      addingForbidden.push(container.name);
      forbidden.push(...added.map(String));
    }
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length > 0) {
    details.push(`${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`);
  }
  return details.length === 0 ? ALLOWED : { allowed: false, reason: 'unrestricted capabilities', detail: details.join('; ') };
}
