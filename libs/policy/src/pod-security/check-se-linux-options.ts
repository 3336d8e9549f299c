import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, joinQuote, obj, pluralize, podSecurityContext, sortedSet, str } from './pod-spec.helpers';

const ALLOWED_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);

/** Custom SELinux type, user or role (baseline, 1.0+). */
export const checkSeLinuxOptions: PodSecurityCheck = {
  id: 'seLinuxOptions',
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => seLinuxOptions(spec) }],
};

function seLinuxOptions(spec: PodSpec) {
  const badTypes: string[] = [];
  let setUser = false;
  let setRole = false;
  const valid = (options: Record<string, any>) => {
    let ok = true;
    if (!ALLOWED_TYPES.has(str(options.type))) {
      ok = false;
      badTypes.push(str(options.type));
    }
    if (str(options.user).length > 0) {
      ok = false;
      setUser = true;
    }
    if (str(options.role).length > 0) {
      ok = false;
      setRole = true;
    }
    return ok;
  };

  const badSetters: string[] = [];
  const podOptions = obj(podSecurityContext(spec)?.seLinuxOptions);
  if (podOptions && !valid(podOptions)) badSetters.push('pod');
  const badContainers = containersOf(spec)
    .filter((c) => {
      const options = obj(c.securityContext?.seLinuxOptions);
      return options !== undefined && !valid(options);
    })
    .map((c) => c.name);
  if (badContainers.length > 0) badSetters.push(containersPhrase(badContainers));
  if (badSetters.length === 0) return ALLOWED;

  const badData: string[] = [];
  const types = sortedSet(badTypes);
  if (types.length > 0) badData.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
  if (setUser) badData.push('user may not be set');
  if (setRole) badData.push('role may not be set');
  return {
    allowed: false,
    reason: 'seLinuxOptions',
    detail: `${badSetters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${badData.join('; ')}`,
  };
}
