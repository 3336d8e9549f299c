import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, obj, podSecurityContext } from './pod-spec.helpers';

/** Windows HostProcess containers have host-level access (baseline, 1.0+). */
export const checkWindowsHostProcess: PodSecurityCheck = {
  id: 'windowsHostProcess',
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => windowsHostProcess(spec) }],
};

function windowsHostProcess(spec: PodSpec) {
  const setters: string[] = [];
  if (obj(podSecurityContext(spec)?.windowsOptions)?.hostProcess === true) setters.push('pod');
  const badContainers = containersOf(spec)
    .filter((c) => obj(c.securityContext?.windowsOptions)?.hostProcess === true)
    .map((c) => c.name);
  if (badContainers.length > 0) setters.push(containersPhrase(badContainers));
  if (setters.length === 0) return ALLOWED;
  return { allowed: false, reason: 'hostProcess', detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` };
}
