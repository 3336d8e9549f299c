import { compareParsed, coreVersion, isSameRelease, KubeVersion, parseKubeVersion } from './kube-version';

export type SkewVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Kubernetes upgrades one minor at a time (kube-apiserver instances must stay within one minor of each
 * other, https://kubernetes.io/releases/version-skew-policy/): a newer patch or build of the same minor,
 * or any release of the next minor. Never a downgrade, never a skipped minor, never a major change.
 */
export function checkUpgradeSkew(current: string, target: string): SkewVerdict {
  let from: KubeVersion;
  let to: KubeVersion;
  try {
    from = parseKubeVersion(current);
    to = parseKubeVersion(target);
  } catch (err) {
    return { allowed: false, reason: (err as Error).message };
  }
  return skewOf(from, to);
}

function skewOf(from: KubeVersion, to: KubeVersion): SkewVerdict {
  const cmp = compareParsed(to, from);
  if (isSameRelease(from, to)) return { allowed: false, reason: `the cluster is already at ${from.raw}` };
  if (cmp < 0) return { allowed: false, reason: `${to.raw} is older than the current ${from.raw}: downgrades are not supported` };
  if (to.major !== from.major) {
    return { allowed: false, reason: `${to.raw} changes the major version from ${from.major} to ${to.major}: not supported` };
  }
  const step = to.minor - from.minor;
  if (step <= 1) return { allowed: true };
  const skipped = Array.from({ length: step - 1 }, (_, i) => `${from.major}.${from.minor + 1 + i}`);
  return {
    allowed: false,
    reason: `${to.raw} skips minor version${skipped.length > 1 ? 's' : ''} ${skipped.join(', ')}: Kubernetes upgrades one minor version at a time, upgrade to ${skipped[0]} first`,
  };
}

/**
 * What a cluster at `current` can move to among `offered`: skew-allowed only, newest first, one entry per
 * release (the first spelling offered wins: "v1.30.5" and "1.30.5" are the same). Unparseable offers are
 * ignored — a management cluster's odd release name must not hide the good ones.
 */
export function availableUpgrades(current: string, offered: string[]): string[] {
  const from = parseKubeVersion(current);
  const kept: KubeVersion[] = [];
  for (const raw of offered) {
    let to: KubeVersion;
    try {
      to = parseKubeVersion(raw);
    } catch {
      continue;
    }
    if (!skewOf(from, to).allowed) continue;
    if (kept.some((k) => compareParsed(k, to) === 0)) continue;
    kept.push(to);
  }
  return kept.sort((a, b) => compareParsed(b, a)).map((v) => v.raw);
}

/**
 * How many minors a kubelet may trail kube-apiserver: three, or two for kubelets older than 1.25
 * (version-skew policy). A kubelet newer than the API server is never supported.
 */
export function checkKubeletSkew(apiServer: string, kubelet: string): SkewVerdict {
  const api = parseKubeVersion(apiServer);
  const node = parseKubeVersion(kubelet);
  if (node.major !== api.major) return { allowed: false, reason: `kubelet ${node.raw} and API server ${api.raw} differ in major version` };
  const behind = api.minor - node.minor;
  if (behind < 0) return { allowed: false, reason: `kubelet ${coreVersion(node)} is newer than the API server ${coreVersion(api)}` };
  const max = node.minor >= 25 ? 3 : 2;
  if (behind > max) {
    return { allowed: false, reason: `kubelet ${coreVersion(node)} is ${behind} minor versions behind the API server ${coreVersion(api)} (at most ${max} supported)` };
  }
  return { allowed: true };
}
