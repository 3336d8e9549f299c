// Kinds whose plural is the kind itself (k8s.io/apimachinery meta.UnsafeGuessKindToResource).
const UNPLURALIZED_SUFFIXES = ['endpoints'];

/**
 * The plural resource a kind is served as, by the same guess the API machinery makes for built-in
 * types ("Ingress" → "ingresses", "NetworkPolicy" → "networkpolicies", "Endpoints" → "endpoints").
 * The deprecated-API metric labels resources, the oracle tables name kinds: this bridges them.
 */
export function resourceForKind(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular === '') return singular;
  if (UNPLURALIZED_SUFFIXES.some((s) => singular.endsWith(s))) return singular;
  if (singular.endsWith('s')) return `${singular}es`;
  if (singular.endsWith('y')) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

/** "apps/v1beta1" → { group: "apps", version: "v1beta1" }; "v1" → core group "". */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
