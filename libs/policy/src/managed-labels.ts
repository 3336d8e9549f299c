import { createHash } from 'node:crypto';

/** Labels on every object Flotilla creates, so that it is recognisable (and only those are ever Flotilla's). */
export const FLOTILLA_MANAGED_LABELS: Record<string, string> = Object.freeze({ 'app.kubernetes.io/managed-by': 'flotilla' });

/** Annotation naming the policy that created an object. */
export const POLICY_ID_ANNOTATION = 'flotilla.io/policy-id';

/**
 * A deterministic object name for what a policy creates: DNS-1123, at most 63 characters. When a
 * part had to be altered (a role such as "system:aggregate-to-view") or the name truncated, a hash
 * of the original parts keeps distinct inputs from sharing a name.
 */
export function managedObjectName(purpose: string, policyId: string, qualifier?: string): string {
  const raw = [purpose, policyId, qualifier].filter((p): p is string => !!p);
  const parts = raw.map(slug);
  const full = `flotilla-${parts.join('-')}`;
  const altered = raw.some((part, i) => part !== parts[i]);
  if (!altered && full.length <= 63) return full;
  const hash = createHash('sha256').update(raw.join('\0')).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

export function managedMetadata(name: string, policyId: string, namespace?: string) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { ...FLOTILLA_MANAGED_LABELS },
    annotations: { [POLICY_ID_ANNOTATION]: policyId },
  };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
