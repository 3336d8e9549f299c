import { ALLOWED, type CheckPodFn, type PodSecurityCheck } from './pod-security.types';
import { list, obj, podSecurityContext, str } from './pod-spec.helpers';

// The "safe" sysctls: namespaced per pod and isolated from other pods. The list grows as
// Kubernetes marks more sysctls safe; each growth is a new policy version.
const V1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const V1_27 = [...V1_0, 'net.ipv4.ip_local_reserved_ports'];
const V1_29 = [...V1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const V1_32 = [...V1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const V1_37 = [...V1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

/** Only the safe sysctls (baseline, 1.0+, the allow-list growing in 1.27, 1.29, 1.32 and 1.37). */
export const checkSysctls: PodSecurityCheck = {
  id: 'sysctls',
  level: 'baseline',
  versions: [
    { minimumVersion: 0, checkPod: sysctls(V1_0) },
    { minimumVersion: 27, checkPod: sysctls(V1_27) },
    { minimumVersion: 29, checkPod: sysctls(V1_29) },
    { minimumVersion: 32, checkPod: sysctls(V1_32) },
    { minimumVersion: 37, checkPod: sysctls(V1_37) },
  ],
};

function sysctls(allowedNames: readonly string[]): CheckPodFn {
  const allowed = new Set(allowedNames);
  return (_meta, spec) => {
    const forbidden = list(podSecurityContext(spec)?.sysctls)
      .map((s) => str(obj(s)?.name))
      .filter((name) => !allowed.has(name));
    return forbidden.length === 0 ? ALLOWED : { allowed: false, reason: 'forbidden sysctls', detail: forbidden.join(', ') };
  };
}
