import type { ClusterFacts, EnforcementPlan, SnapshotKind, Violation } from './policy.types';
import type { NamespaceReach } from './namespace-governance';
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
  /** Where the policy reaches on this cluster (whole cluster, or a workspace's namespaces). */
  reach: NamespaceReach;
  /** Whether the policy governs a namespace here: governsNamespace(spec, reach), the one rule. */
  governs: (namespace: string) => boolean;
  /** For planners that depend on the cluster (CUSTOM: its Kubernetes version). */
  cluster?: ClusterFacts;
}

export function emptyPlan(): EnforcementPlan {
  return { apply: [], namespaceLabels: [], unenforceable: [] };
}
