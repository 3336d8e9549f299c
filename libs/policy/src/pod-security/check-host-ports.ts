import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, list, obj, pluralize, sortedSet } from './pod-spec.helpers';

/** Any hostPort other than 0/unset (baseline, 1.0+); the built-in admission supports no allow-list. */
export const checkHostPorts: PodSecurityCheck = {
  id: 'hostPorts',
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => hostPorts(spec) }],
};

function hostPorts(spec: PodSpec) {
  const badContainers: string[] = [];
  const ports: string[] = [];
  for (const container of containersOf(spec)) {
    const used = list(container.raw.ports)
      .map((p) => obj(p)?.hostPort)
      .filter((port) => typeof port === 'number' && port !== 0);
    if (used.length === 0) continue;
    badContainers.push(container.name);
    ports.push(...used.map(String));
  }
  if (badContainers.length === 0) return ALLOWED;
  // Upstream keeps the ports in a string set, so they sort as text.
  const distinct = sortedSet(ports);
  return {
    allowed: false,
    reason: 'hostPort',
    detail: `${containersPhrase(badContainers)} ${pluralize('uses', 'use', badContainers.length)} ${pluralize('hostPort', 'hostPorts', distinct.length)} ${distinct.join(', ')}`,
  };
}
