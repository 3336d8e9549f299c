import { checkAllowPrivilegeEscalation } from './check-allow-privilege-escalation';
import { checkAppArmorProfile } from './check-app-armor-profile';
import { checkCapabilitiesBaseline } from './check-capabilities-baseline';
import { checkCapabilitiesRestricted } from './check-capabilities-restricted';
import { checkHostNamespaces } from './check-host-namespaces';
import { checkHostPathVolumes } from './check-host-path-volumes';
import { checkHostPorts } from './check-host-ports';
import { checkHostProbesAndHostLifecycle } from './check-host-probes-and-host-lifecycle';
import { checkPrivileged } from './check-privileged';
import { checkProcMount } from './check-proc-mount';
import { checkProcMountRestricted } from './check-proc-mount-restricted';
import { checkRestrictedVolumes } from './check-restricted-volumes';
import { checkRunAsNonRoot } from './check-run-as-non-root';
import { checkRunAsUser } from './check-run-as-user';
import { checkSeLinuxOptions } from './check-se-linux-options';
import { checkSeccompProfileBaseline } from './check-seccomp-profile-baseline';
import { checkSeccompProfileRestricted } from './check-seccomp-profile-restricted';
import { checkSysctls } from './check-sysctls';
import { checkWindowsHostProcess } from './check-windows-host-process';
import type { CheckPodFn, PodSecurityCheck, VersionedCheck } from './pod-security.types';

export const POD_SECURITY_CHECKS: readonly PodSecurityCheck[] = [
  checkAllowPrivilegeEscalation,
  checkAppArmorProfile,
  checkCapabilitiesBaseline,
  checkCapabilitiesRestricted,
  checkHostNamespaces,
  checkHostPathVolumes,
  checkHostPorts,
  checkHostProbesAndHostLifecycle,
  checkPrivileged,
  checkProcMount,
  checkProcMountRestricted,
  checkRestrictedVolumes,
  checkRunAsNonRoot,
  checkRunAsUser,
  checkSeLinuxOptions,
  checkSeccompProfileBaseline,
  checkSeccompProfileRestricted,
  checkSysctls,
  checkWindowsHostProcess,
];

/** The newest policy version any check defines: what "latest" (and anything newer) evaluates as. */
export const NEWEST_MINOR = Math.max(...POD_SECURITY_CHECKS.flatMap((c) => c.versions.map((v) => v.minimumVersion)));

export interface RegisteredCheck {
  id: string;
  checkPod: CheckPodFn;
}

/**
 * Per level and minor version, the checks to run, built once as upstream's registry does: each
 * check's revision in force at that version; at restricted, the baseline checks too, except those
 * a restricted revision overrides; baseline IDs first, then restricted, each sorted.
 */
function buildTables(): { baseline: RegisteredCheck[][]; restricted: RegisteredCheck[][] } {
  const byId = (a: PodSecurityCheck, b: PodSecurityCheck) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const baselineChecks = POD_SECURITY_CHECKS.filter((c) => c.level === 'baseline').sort(byId);
  const restrictedChecks = POD_SECURITY_CHECKS.filter((c) => c.level === 'restricted').sort(byId);
  const baseline: RegisteredCheck[][] = [];
  const restricted: RegisteredCheck[][] = [];
  for (let minor = 0; minor <= NEWEST_MINOR; minor++) {
    const inForce = (check: PodSecurityCheck) => revisionAt(check, minor);
    const restrictedNow = restrictedChecks.map((c) => ({ check: c, revision: inForce(c) })).filter((r) => r.revision);
    const overridden = new Set(restrictedNow.flatMap((r) => r.revision!.overrides ?? []));
    const baselineNow = baselineChecks.map((c) => ({ check: c, revision: inForce(c) })).filter((r) => r.revision);
    baseline[minor] = baselineNow.map((r) => ({ id: r.check.id, checkPod: r.revision!.checkPod }));
    restricted[minor] = [
      ...baselineNow.filter((r) => !overridden.has(r.check.id)).map((r) => ({ id: r.check.id, checkPod: r.revision!.checkPod })),
      ...restrictedNow.map((r) => ({ id: r.check.id, checkPod: r.revision!.checkPod })),
    ];
  }
  return { baseline, restricted };
}

function revisionAt(check: PodSecurityCheck, minor: number): VersionedCheck | undefined {
  let found: VersionedCheck | undefined;
  for (const revision of check.versions) if (revision.minimumVersion <= minor) found = revision;
  return found;
}

let tables: ReturnType<typeof buildTables> | undefined;

export function checksFor(level: 'baseline' | 'restricted', minor: number): RegisteredCheck[] {
  tables ??= buildTables();
  return tables[level][minor];
}
