import { ALLOWED, type PodMeta, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, goQuote, joinQuote, obj, pluralize, podSecurityContext, sortedSet, str } from './pod-spec.helpers';

export const SECCOMP_BASELINE_ID = 'seccompProfile_baseline';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/**
 * If a seccomp profile is set, only the runtime default or a localhost profile (baseline):
 * the alpha annotations up to 1.18, the securityContext.seccompProfile fields from 1.19.
 */
export const checkSeccompProfileBaseline: PodSecurityCheck = {
  id: SECCOMP_BASELINE_ID,
  level: 'baseline',
  versions: [
    { minimumVersion: 0, checkPod: seccompAnnotations },
    { minimumVersion: 19, checkPod: (_meta, spec) => seccompFieldsBaseline(spec) },
  ],
};

export const validSeccompType = (type: string) => type === 'RuntimeDefault' || type === 'Localhost';
const validAnnotation = (value: string) => value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');

function seccompAnnotations(meta: PodMeta, spec: PodSpec) {
  const annotations = meta?.annotations ?? {};
  const forbidden: string[] = [];
  const check = (key: string) => {
    if (Object.prototype.hasOwnProperty.call(annotations, key) && !validAnnotation(str(annotations[key]))) {
      forbidden.push(`${key}=${goQuote(str(annotations[key]))}`);
    }
  };
  check(POD_ANNOTATION);
  for (const container of containersOf(spec)) check(CONTAINER_ANNOTATION_PREFIX + container.name);
  if (forbidden.length === 0) return ALLOWED;
  const distinct = sortedSet(forbidden);
  return { allowed: false, reason: 'seccompProfile', detail: `forbidden ${pluralize('annotation', 'annotations', distinct.length)} ${distinct.join(', ')}` };
}

function seccompFieldsBaseline(spec: PodSpec) {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const podProfile = obj(podSecurityContext(spec)?.seccompProfile);
  if (podProfile && !validSeccompType(str(podProfile.type))) {
    badSetters.push('pod');
    badValues.push(str(podProfile.type));
  }
  const badContainers: string[] = [];
  for (const container of containersOf(spec)) {
    const profile = obj(container.securityContext?.seccompProfile);
    if (profile && !validSeccompType(str(profile.type))) {
      badContainers.push(container.name);
      badValues.push(str(profile.type));
    }
  }
  if (badContainers.length > 0) badSetters.push(containersPhrase(badContainers));
  if (badSetters.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'seccompProfile',
    detail: `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
  };
}
