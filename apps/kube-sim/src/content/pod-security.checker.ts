/**
 * For tests only: the Pod Security Standards checks our generated pods can trip, written from the
 * upstream definitions (k8s.io/pod-security-admission policy/check_*.go) and verified against the
 * upstream fixtures in ../shared/oracles/pod-security by pod-security.checker.test.ts. Not covered
 * (our pods never set them): AppArmor, SELinux, procMount, sysctls, Windows host process.
 */
type Obj = Record<string, any>;

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

function containersOf(spec: Obj): Obj[] {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** Names of the baseline checks the pod spec fails (empty when it meets baseline). */
export function baselineViolations(spec: Obj): string[] {
  const out: string[] = [];
  const containers = containersOf(spec);
  if (containers.some((c) => c.securityContext?.privileged === true)) out.push('privileged');
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push('hostNamespaces');
  if ((spec.volumes ?? []).some((v: Obj) => v.hostPath)) out.push('hostPathVolumes');
  if (containers.some((c) => (c.ports ?? []).some((p: Obj) => p.hostPort))) out.push('hostPorts');
  if (containers.some((c) => (c.securityContext?.capabilities?.add ?? []).some((cap: string) => !BASELINE_CAPABILITIES.has(cap)))) out.push('capabilities_baseline');
  if (spec.securityContext?.seccompProfile?.type === 'Unconfined' || containers.some((c) => c.securityContext?.seccompProfile?.type === 'Unconfined')) out.push('seccompProfile_baseline');
  return out;
}

/** Names of the restricted-only checks the pod spec fails. */
export function restrictedViolations(spec: Obj): string[] {
  const out: string[] = [];
  const containers = containersOf(spec);
  const pod = spec.securityContext ?? {};
  // A volume with no source set defaults to emptyDir, so only a disallowed source field fails.
  if ((spec.volumes ?? []).some((v: Obj) => Object.keys(v).some((k) => k !== 'name' && !RESTRICTED_VOLUMES.has(k)))) out.push('restrictedVolumes');
  // Since 1.25 these three do not apply to pods that declare spec.os.name: windows.
  const linux = spec.os?.name !== 'windows';
  if (linux && containers.some((c) => c.securityContext?.allowPrivilegeEscalation !== false)) out.push('allowPrivilegeEscalation');
  const nonRoot = containers.every((c) => c.securityContext?.runAsNonRoot === true || (c.securityContext?.runAsNonRoot === undefined && pod.runAsNonRoot === true));
  if (!nonRoot || pod.runAsNonRoot === false || containers.some((c) => c.securityContext?.runAsNonRoot === false)) out.push('runAsNonRoot');
  if (pod.runAsUser === 0 || containers.some((c) => c.securityContext?.runAsUser === 0)) out.push('runAsUser');
  const allowed = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const seccompOk = containers.every((c) => {
    const own = c.securityContext?.seccompProfile?.type;
    return own !== undefined ? allowed(own) : allowed(pod.seccompProfile?.type);
  });
  if (linux && !seccompOk) out.push('seccompProfile_restricted');
  if (linux && containers.some((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL') || (c.securityContext?.capabilities?.add ?? []).some((cap: string) => cap !== 'NET_BIND_SERVICE'))) out.push('capabilities_restricted');
  return out;
}

export type Level = 'restricted' | 'baseline' | 'privileged';

/** The highest Pod Security level the pod spec meets. */
export function highestLevel(spec: Obj): Level {
  if (baselineViolations(spec).length) return 'privileged';
  return restrictedViolations(spec).length ? 'baseline' : 'restricted';
}
