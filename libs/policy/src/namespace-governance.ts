import { SYSTEM_NAMESPACES, namespaceScope, type NamespaceScopeSpec } from './namespace-scope';

/**
 * Where a policy reaches on one cluster. Organization, group and cluster scopes reach the whole
 * cluster; a workspace scope reaches only the workspace's namespaces on that cluster.
 */
export type NamespaceReach = { kind: 'CLUSTER' } | { kind: 'WORKSPACE'; workspaceId: string; namespaces: readonly string[] };

export const WHOLE_CLUSTER: NamespaceReach = Object.freeze({ kind: 'CLUSTER' });

/**
 * The one rule for "does this policy govern this namespace on this cluster", used by every
 * evaluator and planner (so scans and ENFORCE agree):
 * - `excludeNamespaces` always wins;
 * - whole-cluster reach: the namespaces the spec names (system ones included: naming them is the
 *   opt-in), otherwise every non-system namespace;
 * - workspace reach: the workspace's namespaces on this cluster, narrowed by the spec's
 *   `namespaces` when it names some; system namespaces are exempt even if named (a workspace can
 *   never pull kube-system under a team's policy).
 */
export function governsNamespace(spec: NamespaceScopeSpec, reach: NamespaceReach = WHOLE_CLUSTER): (namespace: string) => boolean {
  if (reach.kind === 'CLUSTER') return namespaceScope(spec);
  const workspace = new Set(reach.namespaces);
  const only = spec.namespaces ? new Set(spec.namespaces) : undefined;
  const excluded = new Set(spec.excludeNamespaces ?? []);
  return (namespace) => workspace.has(namespace) && !SYSTEM_NAMESPACES.has(namespace) && !excluded.has(namespace) && (!only || only.has(namespace));
}

/** Whether cluster-scoped objects (ClusterRoles, ClusterRoleBindings) are the policy's business here: only with whole-cluster reach. */
export function governsClusterScoped(reach: NamespaceReach = WHOLE_CLUSTER): boolean {
  return reach.kind === 'CLUSTER';
}

/**
 * The namespaces a policy governs on a cluster, given the namespaces that exist there: for a
 * workspace reach this includes the workspace's namespaces that do not exist yet (ENFORCE creates
 * them; see missingNamespaces). Sorted.
 */
export function governedNamespaces(spec: NamespaceScopeSpec, reach: NamespaceReach, existing: readonly string[]): string[] {
  const governs = governsNamespace(spec, reach);
  const candidates = new Set([...existing, ...(reach.kind === 'WORKSPACE' ? reach.namespaces : [])]);
  return [...candidates].filter(governs).sort();
}

/** The governed namespaces of a workspace reach that do not exist on the cluster (ENFORCE creates them). */
export function missingNamespaces(spec: NamespaceScopeSpec, reach: NamespaceReach, existing: readonly string[]): string[] {
  if (reach.kind !== 'WORKSPACE') return [];
  const present = new Set(existing);
  return governedNamespaces(spec, reach, existing).filter((ns) => !present.has(ns));
}
