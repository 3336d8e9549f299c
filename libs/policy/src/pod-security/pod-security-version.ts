/** A Pod Security policy version: "latest" or "v1.N" (upstream's api.ParseVersion). */
export class PodSecurityVersionError extends Error {
  override readonly name = 'PodSecurityVersionError';
}

const VERSION_PATTERN = /^v1\.(0|[1-9]\d*)$/;

/** The minor version to evaluate at: "latest" and versions newer than any check mean the newest. */
export function parsePodSecurityVersion(version: string, newestMinor: number): number {
  if (version === 'latest') return newestMinor;
  const match = VERSION_PATTERN.exec(version);
  if (!match) throw new PodSecurityVersionError(`Pod Security version must be "latest" or "v1.N" (v1.0 or newer), got "${version}"`);
  return Math.min(Number(match[1]), newestMinor);
}
