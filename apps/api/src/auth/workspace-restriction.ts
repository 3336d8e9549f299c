import type { ClusterScope, WorkspaceReach } from '@flotilla/persistence';
import { DomainError, ErrorCode } from '../common/domain.errors';
import type { ViewerContext } from './viewer';

/**
 * A workspace-restricted token's reach: the workspace's namespaces, by cluster. Read once per
 * request (with the token), carried on the viewer; every cluster read of the API takes
 * clusterScope(viewer), so the token's lists, counts and lookups contain only these clusters.
 */
export interface WorkspaceRestriction {
  workspaceId: string;
  clusterIds: readonly string[];
  namespacesByCluster: ReadonlyMap<string, ReadonlySet<string>>;
}

export function restrictionFrom(reach: WorkspaceReach): WorkspaceRestriction {
  return { workspaceId: reach.workspaceId, clusterIds: [...reach.namespacesByCluster.keys()], namespacesByCluster: reach.namespacesByCluster };
}

/** Whose clusters this viewer may see: its organization's, or only its workspace's. */
export function clusterScope(viewer: ViewerContext): ClusterScope {
  return viewer.workspace ? { organizationId: viewer.organizationId, clusterIds: viewer.workspace.clusterIds } : { organizationId: viewer.organizationId };
}

/**
 * Whether a finding about an object is visible to the viewer: always for an unrestricted one; for a
 * workspace token only inside its namespaces on that cluster (a Namespace object by its own name;
 * other cluster-scoped objects never).
 */
export function seesObject(viewer: ViewerContext, clusterId: string, object: { kind: string; namespace?: string | null; name: string }): boolean {
  if (!viewer.workspace) return true;
  const namespaces = viewer.workspace.namespacesByCluster.get(clusterId);
  if (!namespaces) return false;
  const namespace = object.kind === 'Namespace' ? object.name : object.namespace;
  return !!namespace && namespaces.has(namespace);
}

/**
 * The root operations a workspace-restricted token may call; every other one is refused for it:
 * - organization-wide reads (scans, policies, groups, the audit log, tokens, the schedule) and
 *   writes (attaching clusters, policies, workspaces, groups, scans, the schedule);
 * - changes to a whole cluster — updateCluster, detachCluster, startUpgrade, cancelUpgrade: a
 *   workspace owns namespaces on a cluster, not the cluster, and these change it for every other
 *   workspace and team on it too (the services still look clusters up through clusterScope, so
 *   listing one here later keeps other clusters NOT_FOUND).
 * Default deny: an operation added later is refused to workspace tokens until it is listed here,
 * i.e. until it scopes its reads by clusterScope(viewer). Those listed look clusters up through
 * clusterScope, so another cluster answers like a missing one.
 */
export const WORKSPACE_TOKEN_OPERATIONS: Readonly<Record<'Query' | 'Mutation', ReadonlySet<string>>> = {
  Query: new Set(['viewer', 'clusters', 'cluster', 'fleetSummary', 'inspection', 'upgrade', 'workspaces']),
  Mutation: new Set(['runInspection', 'createApiToken']),
};

/** Refuses a root operation a workspace-restricted viewer may not call (no-op for other viewers and for field resolvers). */
export function assertWorkspaceMayCall(viewer: ViewerContext, parentType: string, field: string): void {
  if (!viewer.workspace) return;
  if (parentType !== 'Query' && parentType !== 'Mutation' && parentType !== 'Subscription') return;
  const allowed = (WORKSPACE_TOKEN_OPERATIONS as Record<string, ReadonlySet<string> | undefined>)[parentType];
  if (allowed?.has(field)) return;
  throw new DomainError(ErrorCode.Forbidden, `${field} reaches beyond one workspace (organization-wide, or a whole cluster); this token is restricted to one workspace`);
}

/** Whether the viewer may see a cluster (and what hangs off it: upgrades, inspections). */
export function seesCluster(viewer: ViewerContext, clusterId: string): boolean {
  return !viewer.workspace || viewer.workspace.clusterIds.includes(clusterId);
}
