import { createHash } from 'node:crypto';

/** Labels on every object Flotilla creates, so that it is recognisable (and only those are ever Flotilla's). */
export const FLOTILLA_MANAGED_LABELS: Record<string, string> = Object.freeze({ 'app.kubernetes.io/managed-by': 'flotilla' });

/** Annotation naming the policy that created an object. */
export const POLICY_ID_ANNOTATION = 'flotilla.io/policy-id';

/** A deterministic object name for what a policy creates: DNS-1123, at most 63 characters. */
export function managedObjectName(purpose: string, policyId: string, qualifier?: string): string {
  const parts = [purpose, policyId, qualifier].filter((p): p is string => !!p).map(slug);
  const full = `flotilla-${parts.join('-')}`;
  if (full.length <= 63) return full;
  // Truncated names could collide; a hash of the untruncated parts keeps them apart.
  const hash = createHash('sha256').update([purpose, policyId, qualifier ?? ''].join('\0')).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function managedMetadata(name: string, policyId: string, namespace?: string) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { ...FLOTILLA_MANAGED_LABELS },
    annotations: { [POLICY_ID_ANNOTATION]: policyId },
  };
}
