import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';

/** Sharing the host's network, PID or IPC namespace (baseline, 1.0+). */
export const checkHostNamespaces: PodSecurityCheck = {
  id: 'hostNamespaces',
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => hostNamespaces(spec) }],
};

function hostNamespaces(spec: PodSpec) {
  // Already in sorted order, as upstream's sets.List() returns them.
  const used = (['hostIPC', 'hostNetwork', 'hostPID'] as const).filter((field) => spec[field] === true);
  if (used.length === 0) return ALLOWED;
  return { allowed: false, reason: 'host namespaces', detail: used.join(', ') };
}
