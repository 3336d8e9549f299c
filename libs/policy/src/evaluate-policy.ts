import { FLOTILLA_MANAGED_LABELS } from './managed-labels';
import { WHOLE_CLUSTER, governsNamespace, missingNamespaces, type NamespaceReach } from './namespace-governance';
import type { KubeObject } from './kube-object';
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
  const spec = normalisedSpec(policy);
  const reach = policy.reach ?? WHOLE_CLUSTER;
  return {
    handler,
    context: {
      policyId: policy.id,
      spec,
      snapshot: snapshot instanceof SnapshotView ? snapshot : new SnapshotView(snapshot),
      reach,
      governs: governsNamespace(spec as NamespaceScopeSpec, reach),
      cluster,
    },
  };
}

type NamespaceScopeSpec = { namespaces?: string[]; excludeNamespaces?: string[] };

/** Annotation on a namespace ENFORCE created for a workspace (it belongs to the workspace, not to one policy). */
export const WORKSPACE_ID_ANNOTATION = 'flotilla.io/workspace-id';

/** The namespace object ENFORCE applies when a workspace namespace is missing on its cluster. */
export function workspaceNamespaceObject(name: string, workspaceId: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...FLOTILLA_MANAGED_LABELS }, annotations: { [WORKSPACE_ID_ANNOTATION]: workspaceId } } };
}

/** ENFORCE of a workspace policy reads namespaces to know which are missing. */
function reachKinds(policy: PolicyDefinition): SnapshotKind[] {
  return policy.mode === 'ENFORCE' && policy.reach?.kind === 'WORKSPACE' ? ['Namespace'] : [];
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
    for (const kind of [...handler.kinds(context.spec), ...reachKinds(policy)]) needed.add(kind);
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
 * A workspace policy first creates the workspace's governed namespaces missing on the cluster
 * (applied first, so what the type plans inside them follows), planned as if they existed.
 */
export function planEnforcement(policy: PolicyDefinition, snapshot: ClusterSnapshot, cluster?: ClusterFacts): EnforcementPlan {
  if (policy.mode !== 'ENFORCE') return emptyPlan();
  const reach: NamespaceReach = policy.reach ?? WHOLE_CLUSTER;
  let created: KubeObject[] = [];
  let planned = snapshot;
  if (reach.kind === 'WORKSPACE') {
    const existing = new SnapshotView(snapshot).list('Namespace').map((ns) => ns.metadata.name);
    created = missingNamespaces(normalisedSpec(policy) as NamespaceScopeSpec, reach, existing).map((name) => workspaceNamespaceObject(name, reach.workspaceId));
    if (created.length) planned = { ...snapshot, Namespace: [...(snapshot.Namespace ?? []), ...created] };
  }
  const { handler, context } = contextFor(policy, planned, cluster);
  requireKinds(handler, context);
  const plan = handler.plan(context);
  return { ...plan, apply: [...created, ...plan.apply], unenforceable: sortViolations(plan.unenforceable) };
}
