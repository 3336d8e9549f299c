import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { joinQuote, list, obj, pluralize, str } from './pod-spec.helpers';

export const HOST_PATH_VOLUMES_ID = 'hostPathVolumes';

/** hostPath volumes expose the node's filesystem (baseline, 1.0+). */
export const checkHostPathVolumes: PodSecurityCheck = {
  id: HOST_PATH_VOLUMES_ID,
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => hostPathVolumes(spec) }],
};

function hostPathVolumes(spec: PodSpec) {
  const bad = list(spec.volumes)
    .map(obj)
    .filter((v) => v && obj(v.hostPath))
    .map((v) => str(v!.name));
  if (bad.length === 0) return ALLOWED;
  return { allowed: false, reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}` };
}
