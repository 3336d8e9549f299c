import * as semver from 'semver';

/** A Kubernetes version as a provider reports it, split into the parts the skew rules need. */
export interface KubeVersion {
  raw: string;
  major: number;
  minor: number;
  patch: number;
  /** The core version, e.g. "1.30.4" (no pre-release, no provider suffix). */
  semver: string;
  /** Everything after the core, e.g. "+vmware.1", "-eks-7f9249a", "-gke.1014001", "-rc.1" (a TKR's "---" reads as "+"). */
  suffix?: string;
  /** Set only for upstream pre-releases ("alpha.1", "beta.0", "rc.2"): those sort before the release. */
  prerelease?: string;
}

const CORE = /^v?(\d+)\.(\d+)\.(\d+)(.*)$/;
// Upstream pre-release builds: v1.31.0-alpha.1, v1.31.0-rc.0, optionally with +build metadata.
const UPSTREAM_PRERELEASE = /^-((?:alpha|beta|rc)\.\d+(?:\.\d+)*)(?:\+(.+))?$/;
const SUFFIX_CHARS = /^[0-9A-Za-z.+-]+$/;

/**
 * Parses "v1.30.4", "1.30.4", "v1.30.4+vmware.1", "v1.31.2-eks-7f9249a", "v1.30.5-gke.1014001" and TKR
 * names such as "v1.30.4---vmware.1-tkg.1" (a TKR name is a Kubernetes object name, which cannot hold
 * "+", so TKG writes "---" for it). Throws on anything else rather than guessing.
 */
export function parseKubeVersion(raw: string): KubeVersion {
  const input = typeof raw === 'string' ? raw.trim() : '';
  const m = CORE.exec(input);
  if (!m) throw new Error(`not a Kubernetes version: ${JSON.stringify(raw)} (expected e.g. "v1.30.4" or "v1.30.4+vmware.1")`);
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  // TKR names spell "+" as "---": normalise so both spellings of one release compare equal.
  const suffix = m[4] === '' ? undefined : m[4].startsWith('---') ? `+${m[4].slice(3)}` : m[4];
  if (suffix !== undefined && !(SUFFIX_CHARS.test(suffix) && /^[-+]/.test(suffix))) {
    throw new Error(`not a Kubernetes version: ${JSON.stringify(raw)} (unexpected suffix ${JSON.stringify(suffix)})`);
  }
  const core = `${major}.${minor}.${patch}`;
  const v: KubeVersion = { raw, major, minor, patch, semver: core };
  if (suffix !== undefined) v.suffix = suffix;
  const pre = suffix !== undefined ? UPSTREAM_PRERELEASE.exec(suffix) : null;
  if (pre) v.prerelease = pre[1];
  if (semver.valid(toSemver(v)) === null) {
    throw new Error(`not a Kubernetes version: ${JSON.stringify(raw)} (suffix ${JSON.stringify(suffix)} is not a valid build identifier)`);
  }
  return v;
}

/**
 * Maps a Kubernetes version onto a semver string the library can order: upstream pre-releases stay
 * pre-releases; provider suffixes become build metadata (a "-eks-…" or "-gke.…" build is the release,
 * not a pre-release of it, which is what plain semver would make of the hyphen).
 */
export function toSemver(v: KubeVersion): string {
  if (v.suffix === undefined) return v.semver;
  const pre = UPSTREAM_PRERELEASE.exec(v.suffix);
  if (pre) return pre[2] ? `${v.semver}-${pre[1]}+${pre[2]}` : `${v.semver}-${pre[1]}`;
  const build = v.suffix.replace(/^[-+]/, '').replace(/\+/g, '.');
  return `${v.semver}+${build}`;
}

/**
 * Orders by major, minor, patch and pre-release (semver rules), then by provider build so that
 * "+vmware.2" sorts after "+vmware.1" of the same release. Returns <0, 0 or >0.
 */
export function compareKubeVersions(a: string, b: string): number {
  return compareParsed(parseKubeVersion(a), parseKubeVersion(b));
}

export function compareParsed(a: KubeVersion, b: KubeVersion): number {
  return semver.compareBuild(toSemver(a), toSemver(b));
}

/**
 * Whether two spellings name the release a cluster runs: same core and pre-release, and one provider
 * build extends the other. A workload cluster on TKR "v1.30.4---vmware.1-tkg.1" reports
 * "v1.30.4+vmware.1" (the "-tkg.1" part exists only in the TKR name), so the TKR is not an upgrade.
 */
export function isSameRelease(a: KubeVersion, b: KubeVersion): boolean {
  if (a.semver !== b.semver || a.prerelease !== b.prerelease) return false;
  const build = (v: KubeVersion) => (v.prerelease !== undefined || v.suffix === undefined ? '' : v.suffix.replace(/^[-+]/, ''));
  const [x, y] = [build(a), build(b)].sort((p, q) => p.length - q.length) as [string, string];
  return x === y || x === '' || (y.startsWith(x) && /[-.+]/.test(y.charAt(x.length)));
}

/** "1.30" from any version spelling; also accepts a bare minor ("1.30", "v1.30"), as removal releases are written. */
export function parseKubeMinor(raw: string): { major: number; minor: number } {
  const m = /^v?(\d+)\.(\d+)(?:$|\.)/.exec(raw.trim());
  if (!m) throw new Error(`not a Kubernetes version: ${JSON.stringify(raw)}`);
  if (/^v?\d+\.\d+\./.test(raw.trim())) {
    const v = parseKubeVersion(raw);
    return { major: v.major, minor: v.minor };
  }
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** Minor-level comparison ("1.32" vs "v1.31.4"): <0, 0 or >0. */
export function compareMinors(a: { major: number; minor: number }, b: { major: number; minor: number }): number {
  return a.major - b.major || a.minor - b.minor;
}

/** The display form "v1.30.4" (core only). */
export function coreVersion(v: KubeVersion): string {
  return `v${v.semver}`;
}

/** Whether two spellings name the same release (compareKubeVersions finds them equal); false when either is unreadable. */
export function sameRelease(a: string, b: string): boolean {
  try {
    return compareKubeVersions(a, b) === 0;
  } catch {
    return false;
  }
}
