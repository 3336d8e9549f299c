/**
 * Pod security shapes, so Pod Security scans find all three outcomes. Each profile is checked
 * against the upstream Pod Security Standards (see ../shared/oracles/pod-security):
 * - restricted: meets `restricted` (and so `baseline`);
 * - baseline-*: meets `baseline` but not `restricted`;
 * - privileged-*: fails `baseline` (and so `restricted`).
 */
export type SecurityProfile =
  | 'restricted'
  | 'baseline-unset'
  | 'baseline-root-user'
  | 'baseline-allowed-caps'
  | 'baseline-no-seccomp'
  | 'privileged-container'
  | 'privileged-host-network'
  | 'privileged-host-path'
  | 'privileged-net-admin'
  | 'privileged-sys-admin'
  | 'privileged-host-pid';

export type PssLevel = 'restricted' | 'baseline' | 'privileged';

export function levelOf(profile: SecurityProfile): PssLevel {
  if (profile === 'restricted') return 'restricted';
  return profile.startsWith('baseline') ? 'baseline' : 'privileged';
}

export const BASELINE_PROFILES: readonly SecurityProfile[] = ['baseline-unset', 'baseline-root-user', 'baseline-allowed-caps', 'baseline-no-seccomp'];
export const PRIVILEGED_PROFILES: readonly SecurityProfile[] = [
  'privileged-container', 'privileged-host-network', 'privileged-host-path', 'privileged-net-admin', 'privileged-sys-admin', 'privileged-host-pid',
];

export interface SecurityShape {
  pod: Record<string, unknown>;
  container: Record<string, unknown> | undefined;
  /** Extra pod-spec fields (hostNetwork, hostPID). */
  podFields: Record<string, unknown>;
  /** Extra volumes and where the first container mounts them. */
  volumes: Array<Record<string, unknown>>;
  mounts: Array<Record<string, unknown>>;
}


export function securityShape(profile: SecurityProfile, uid: number): SecurityShape {
  const shape: SecurityShape = { pod: {}, container: undefined, podFields: {}, volumes: [], mounts: [] };
  switch (profile) {
    case 'restricted':
      shape.pod = { fsGroup: uid, runAsGroup: uid, runAsNonRoot: true, runAsUser: uid, seccompProfile: { type: 'RuntimeDefault' } };
      shape.container = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };
      break;
    case 'baseline-unset':
      break;
    case 'baseline-root-user':
      // Root is allowed by baseline; restricted requires runAsNonRoot and forbids runAsUser 0.
      shape.pod = { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } };
      shape.container = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
      break;
    case 'baseline-allowed-caps':
      // CHOWN and SETUID are in baseline's allowed list; restricted allows only NET_BIND_SERVICE.
      shape.pod = { runAsNonRoot: true, runAsUser: uid, seccompProfile: { type: 'RuntimeDefault' } };
      shape.container = { allowPrivilegeEscalation: false, capabilities: { add: ['CHOWN', 'SETUID'], drop: ['ALL'] } };
      break;
    case 'baseline-no-seccomp':
      shape.pod = { runAsNonRoot: true, runAsUser: uid };
      shape.container = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
      break;
    case 'privileged-container':
      shape.container = { privileged: true };
      break;
    case 'privileged-host-network':
      shape.podFields = { hostNetwork: true };
      break;
    case 'privileged-host-path':
      shape.volumes = [{ name: 'host-logs', hostPath: { path: '/var/log', type: 'Directory' } }];
      shape.mounts = [{ name: 'host-logs', mountPath: '/host/var/log', readOnly: true }];
      break;
    case 'privileged-net-admin':
      shape.container = { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } };
      break;
    case 'privileged-sys-admin':
      shape.pod = { runAsUser: 0 };
      shape.container = { capabilities: { add: ['SYS_ADMIN'] } };
      break;
    case 'privileged-host-pid':
      shape.podFields = { hostPID: true };
      break;
  }
  return shape;
}
