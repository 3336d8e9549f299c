/** What offeredVersionsOf reads of a TanzuKubernetesRelease. */
export interface ReleaseObject {
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/**
 * A TKR's Kubernetes version as the workload cluster will report it ("v1.30.8+vmware.1"; the TKR's
 * own spec.version adds "-tkg.N"). Releases marked incompatible with the Supervisor are not offers.
 */
export function offeredVersionsOf(tkrs: ReleaseObject[]): string[] {
  const out: string[] = [];
  for (const t of tkrs) {
    const spec = (t.spec ?? {}) as { kubernetes?: { version?: string }; version?: string };
    const conditions = ((t.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []);
    if (conditions.some((c) => c.type === 'Compatible' && c.status === 'False')) continue;
    const version = spec.kubernetes?.version ?? spec.version;
    if (typeof version === 'string' && version && !out.includes(version)) out.push(version);
  }
  return out;
}
