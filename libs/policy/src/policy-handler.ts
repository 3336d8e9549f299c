import type { ClusterFacts, EnforcementPlan, SnapshotKind, Violation } from './policy.types';
import type { SnapshotView } from './snapshot-view';

/** What each policy type provides: the kinds it reads, its evaluation and its enforcement plan. */
export interface PolicyHandler<Spec> {
  kinds(spec: Spec): SnapshotKind[];
  evaluate(context: PolicyContext<Spec>): Violation[];
  plan(context: PolicyContext<Spec>): EnforcementPlan;
}

export interface PolicyContext<Spec> {
  policyId: string;
  spec: Spec;
  snapshot: SnapshotView;
  /** For planners that depend on the cluster (CUSTOM: its Kubernetes version). */
  cluster?: ClusterFacts;
}

export function emptyPlan(): EnforcementPlan {
  return { apply: [], namespaceLabels: [], unenforceable: [] };
}
