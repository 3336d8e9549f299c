/**
 * A text key that sorts Kubernetes versions numerically ("v1.9.3" before "v1.30.0"), so the
 * registry can order and paginate by version with a plain index.
 */
export function versionSortKey(version: string | null | undefined): string {
  if (!version) return '';
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(version.trim());
  if (!m) return `~${version}`;
  const pad = (n: string | undefined) => (n ?? '0').padStart(5, '0');
  return `${pad(m[1])}.${pad(m[2])}.${pad(m[3])}${m[4] ?? ''}`;
}
