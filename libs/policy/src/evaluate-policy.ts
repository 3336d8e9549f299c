import { emptyPlan, type PolicyContext, type PolicyHandler } from './policy-handler';
import { POLICY_HANDLERS } from './policy-handlers';
import { validatePolicySpec } from './policy-spec.schema';
import {
  SNAPSHOT_KINDS,
  type ClusterFacts,
  type ClusterSnapshot,
  type EnforcementPlan,
  type PolicyDefinition,
  type PolicyEvaluation,
  type SnapshotKind,
} from './policy.types';
import { SnapshotView } from './snapshot-view';
import { sortViolations } from './violations';

// Specs are validated when stored; re-validating per evaluation (to get the normalised form) is
// cached per spec object so a scan of many clusters pays for it once.
const normalised = new WeakMap<object, unknown>();

function contextFor(policy: PolicyDefinition, snapshot: ClusterSnapshot | SnapshotView, cluster?: ClusterFacts): { handler: PolicyHandler<unknown>; context: PolicyContext<unknown> } {
  const handler = POLICY_HANDLERS[policy.type] as PolicyHandler<unknown> | undefined;
  if (!handler) throw new Error(`Unknown policy type "${String(policy.type)}"`);
  return { handler, context: { policyId: policy.id, spec: normalisedSpec(policy), snapshot: snapshot instanceof SnapshotView ? snapshot : new SnapshotView(snapshot), cluster } };
}

function normalisedSpec(policy: PolicyDefinition): unknown {
  const key = typeof policy.spec === 'object' && policy.spec !== null ? policy.spec : undefined;
  if (key && normalised.has(key)) return normalised.get(key);
  const spec = validatePolicySpec(policy.type, policy.spec);
  if (key) normalised.set(key, spec);
  return spec;
}

/** A kind the policy reads but the scan did not list would look like "none exist": refuse instead. */
function requireKinds(handler: PolicyHandler<unknown>, context: PolicyContext<unknown>): void {
  for (const kind of handler.kinds(context.spec)) context.snapshot.list(kind);
}

/** The kinds a scan must list so that every given policy can be evaluated (and nothing more). */
export function snapshotKindsFor(policies: PolicyDefinition[]): SnapshotKind[] {
  const needed = new Set<SnapshotKind>();
  for (const policy of policies) {
    const { handler, context } = contextFor(policy, {});
    for (const kind of handler.kinds(context.spec)) needed.add(kind);
  }
  return SNAPSHOT_KINDS.filter((kind) => needed.has(kind));
}

/** Pure: the policy's findings on one cluster snapshot, violations sorted. */
export function evaluatePolicy(policy: PolicyDefinition, snapshot: ClusterSnapshot): PolicyEvaluation {
  const { handler, context } = contextFor(policy, snapshot);
  requireKinds(handler, context);
  const violations = sortViolations(handler.evaluate(context));
  return { policyId: policy.id, status: violations.length === 0 ? 'COMPLIANT' : 'NON_COMPLIANT', violations };
}

/**
 * ENFORCE: what to server-side apply (objects labelled as Flotilla's), which namespace labels to
 * set, and what objects cannot fix. Never deletes anything. An AUDIT policy enforces nothing.
 */
export function planEnforcement(policy: PolicyDefinition, snapshot: ClusterSnapshot, cluster?: ClusterFacts): EnforcementPlan {
  const { handler, context } = contextFor(policy, snapshot, cluster);
  if (policy.mode !== 'ENFORCE') return emptyPlan();
  requireKinds(handler, context);
  const plan = handler.plan(context);
  return { ...plan, unenforceable: sortViolations(plan.unenforceable) };
}
