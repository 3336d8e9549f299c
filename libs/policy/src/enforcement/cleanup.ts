import type { KubeObjectMeta } from '../kube-object';
import { FLOTILLA_MANAGED_LABELS, POLICY_ID_ANNOTATION } from '../managed-labels';
import type { SnapshotKind } from '../policy.types';

/**
 * Every kind an enforcement plan creates objects of (namespace labels are patches, not objects,
 * and stay). Cleanup lists exactly these; a planner that starts creating another kind must add it
 * here, or the objects it creates would outlive their policy.
 */
export const ENFORCED_KINDS = Object.freeze([
  'ClusterRoleBinding',
  'RoleBinding',
  'NetworkPolicy',
  'ResourceQuota',
  // CUSTOM policies: served only by clusters ≥ 1.30 (cleanup skips a cluster that does not serve them).
  'ValidatingAdmissionPolicyBinding',
  'ValidatingAdmissionPolicy',
] as const satisfies readonly (SnapshotKind | AdmissionPolicyKind)[]);

/** Kinds enforcement writes that no policy reads. */
export type AdmissionPolicyKind = 'ValidatingAdmissionPolicy' | 'ValidatingAdmissionPolicyBinding';
export type EnforcedKind = (typeof ENFORCED_KINDS)[number];

const [[MANAGED_BY_KEY, MANAGED_BY_VALUE]] = Object.entries(FLOTILLA_MANAGED_LABELS);

/** The label selector that narrows the lists cleanup reads to Flotilla's objects. */
export const MANAGED_LABEL_SELECTOR = `${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`;

/**
 * The objects this policy created: labelled managed-by Flotilla AND annotated with this policy's
 * id. Either mark alone is not enough — a label can be copied onto anything, and an object someone
 * else made is never Flotilla's to delete.
 */
export function objectsCreatedBy<T extends { metadata: KubeObjectMeta }>(policyId: string, objects: readonly T[]): T[] {
  return objects.filter((o) => o.metadata.labels?.[MANAGED_BY_KEY] === MANAGED_BY_VALUE && o.metadata.annotations?.[POLICY_ID_ANNOTATION] === policyId);
}
