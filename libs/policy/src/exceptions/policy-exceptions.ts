import type { EnforcementPlan, Violation } from '../policy.types';

/**
 * An approved exception as evaluation sees it. Its target narrows where it applies; every given
 * field must match, absent fields match anything:
 * - `clusterId` / `groupId`: the cluster, or the clusters of the group (neither: every cluster);
 * - `namespace`: violations of objects in that namespace, and of the Namespace object itself;
 * - `kind` + `name` (with `namespace` for a namespaced object): that one object.
 */
export interface ExceptionRule {
  id: string;
  policyId: string;
  clusterId: string | null;
  groupId: string | null;
  namespace: string | null;
  kind: string | null;
  name: string | null;
  /** Exclusive: at `expiresAt` the exception no longer applies. */
  expiresAt: Date | string;
}

/** Where an evaluation happens: the cluster evaluated and the evaluation's clock (the scan's time). */
export interface ExceptionScope {
  policyId: string;
  clusterId: string;
  groupId: string | null;
  at: Date;
}

export interface ExemptedViolation extends Violation {
  exceptionId: string;
}

/** The exceptions that apply to this policy on this cluster at this time (approved ones only are passed in). */
export function applicableExceptions(rules: readonly ExceptionRule[], scope: ExceptionScope): ExceptionRule[] {
  const at = scope.at.getTime();
  return rules
    .filter(
      (r) =>
        r.policyId === scope.policyId &&
        (r.clusterId === null || r.clusterId === scope.clusterId) &&
        (r.groupId === null || r.groupId === scope.groupId) &&
        new Date(r.expiresAt).getTime() > at,
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Whether the exception's target covers this violation (cluster and group already matched). */
export function exceptionCovers(rule: ExceptionRule, v: Violation): boolean {
  if (rule.kind !== null) {
    return v.kind === rule.kind && v.name === rule.name && (v.namespace ?? null) === (rule.namespace ?? null);
  }
  if (rule.namespace !== null) {
    return v.namespace === rule.namespace || (v.kind === 'Namespace' && !v.namespace && v.name === rule.namespace);
  }
  return true;
}

/**
 * Pure: splits a policy's violations into those that count and those an applicable exception
 * waives (each with the id of the first exception, by id, that covers it). Order is kept.
 */
export function partitionViolations(
  violations: readonly Violation[],
  rules: readonly ExceptionRule[],
  scope: ExceptionScope,
): { violations: Violation[]; exempted: ExemptedViolation[] } {
  const applicable = applicableExceptions(rules, scope);
  const counted: Violation[] = [];
  const exempted: ExemptedViolation[] = [];
  for (const v of violations) {
    const rule = applicable.find((r) => exceptionCovers(r, v));
    if (rule) exempted.push({ ...v, exceptionId: rule.id });
    else counted.push(v);
  }
  return { violations: counted, exempted };
}

/**
 * Pure: ENFORCE does not act where an exception applies. An object to apply is dropped when an
 * exception covers it (its namespace, or itself by kind/name); a namespace is not labelled when an
 * exception covers that namespace. Unenforceable findings are partitioned like violations.
 */
export function exemptFromPlan(plan: EnforcementPlan, rules: readonly ExceptionRule[], scope: ExceptionScope): EnforcementPlan {
  const applicable = applicableExceptions(rules, scope);
  if (applicable.length === 0) return plan;
  const covered = (v: Violation) => applicable.some((r) => exceptionCovers(r, v));
  return {
    ...plan,
    apply: plan.apply.filter(
      (o) => !covered({ kind: o.kind ?? '', name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), message: '' }),
    ),
    namespaceLabels: plan.namespaceLabels.filter((l) => !covered({ kind: 'Namespace', name: l.namespace, message: '' })),
    unenforceable: plan.unenforceable.filter((v) => !covered(v)),
  };
}

/** How soon before expiry an exception counts as expiring (the EXCEPTION_EXPIRING notice). */
export const EXCEPTION_EXPIRING_WITHIN_DAYS = 7;

/**
 * Pure: the approved exceptions that expire within `withinDays` of `now` and have not expired yet
 * — what the daily EXCEPTION_EXPIRING check reports.
 */
export function expiringExceptions<T extends { expiresAt: Date | string }>(exceptions: readonly T[], now: Date, withinDays = EXCEPTION_EXPIRING_WITHIN_DAYS): T[] {
  const from = now.getTime();
  const until = from + withinDays * 24 * 3600 * 1000;
  return exceptions.filter((e) => {
    const t = new Date(e.expiresAt).getTime();
    return t > from && t <= until;
  });
}
