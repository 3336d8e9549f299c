import { ALLOWED, type PodMeta, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, goQuote, joinQuote, obj, pluralize, podSecurityContext, sortedSet, str } from './pod-spec.helpers';

const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/**
 * Overriding or disabling the default AppArmor profile (baseline, 1.0+): the appArmorProfile
 * fields (1.30+ API) and the older per-container annotations are both checked at every version.
 */
export const checkAppArmorProfile: PodSecurityCheck = {
  id: 'appArmorProfile',
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: appArmorProfile }],
};

const allowedType = (type: string) => type === 'RuntimeDefault' || type === 'Localhost';
const allowedAnnotation = (value: string) => value === '' || value === 'runtime/default' || value.startsWith('localhost/');

function appArmorProfile(meta: PodMeta, spec: PodSpec) {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const podProfile = obj(podSecurityContext(spec)?.appArmorProfile);
  if (podProfile && !allowedType(str(podProfile.type))) {
    badSetters.push('pod');
    badValues.push(str(podProfile.type));
  }
  const badContainers: string[] = [];
  for (const container of containersOf(spec)) {
    const profile = obj(container.securityContext?.appArmorProfile);
    if (profile && !allowedType(str(profile.type))) {
      badContainers.push(container.name);
      badValues.push(str(profile.type));
    }
  }
  if (badContainers.length > 0) badSetters.push(containersPhrase(badContainers));

  const badAnnotations = Object.entries(meta?.annotations ?? {})
    .filter(([key, value]) => key.startsWith(ANNOTATION_PREFIX) && !allowedAnnotation(str(value)))
    .map(([key, value]) => `${key}=${goQuote(str(value))}`)
    .sort();
  const badValueList = [...sortedSet(badValues), ...badAnnotations];
  if (badAnnotations.length > 0) badSetters.push(pluralize('annotation', 'annotations', badAnnotations.length));

  if (badSetters.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValueList.length),
    detail: `${badSetters.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValueList)}`,
  };
}
