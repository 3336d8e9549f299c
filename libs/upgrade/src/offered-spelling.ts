import { compareKubeVersions, parseKubeVersion } from './kube-version';

/**
 * The management cluster's own spelling of the requested release: "v1.30.8" or "1.30.8" asks for the
 * one offered "v1.30.8+vmware.1". Left as typed when nothing (or more than one build) matches, for
 * pre-flight to refuse with its reason.
 */
export function offeredSpelling(requested: string, offered: readonly string[]): string {
  const exact = offered.find((o) => safeCompare(o, requested) === 0);
  if (exact) return exact;
  const want = parseKubeVersion(requested);
  if (want.suffix !== undefined) return requested;
  const sameCore = offered.filter((o) => {
    try {
      const v = parseKubeVersion(o);
      return v.semver === want.semver && v.prerelease === undefined;
    } catch {
      return false;
    }
  });
  return sameCore.length === 1 ? sameCore[0] : requested;
}

function safeCompare(a: string, b: string): number | null {
  try {
    return compareKubeVersions(a, b);
  } catch {
    return null;
  }
}
