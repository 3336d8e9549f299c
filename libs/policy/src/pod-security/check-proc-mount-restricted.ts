import { procMountDefaultOnly, PROC_MOUNT_ID } from './check-proc-mount';
import type { PodSecurityCheck } from './pod-security.types';

/** Restricted keeps /proc masked even in a user namespace (1.35+, when baseline relaxed it). */
export const checkProcMountRestricted: PodSecurityCheck = {
  id: 'procMount_restricted',
  level: 'restricted',
  versions: [{ minimumVersion: 35, checkPod: (_meta, spec) => procMountDefaultOnly(spec), overrides: [PROC_MOUNT_ID] }],
};
