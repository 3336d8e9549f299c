import { CliError } from './cli-error';
import { GraphqlClient } from './graphql-client';

export interface ClusterRow {
  id: string;
  name: string;
  provider: string;
  region: string | null;
  kubernetesVersion: string | null;
  status: string;
  nodeCount: number;
  lastSeenAt: string | null;
}

export const PAGE_SIZE = 100;

/** The cluster with this name (a live one over a DETACHED one); a clear error when there is none. */
export async function findClusterByName(client: GraphqlClient, name: string): Promise<ClusterRow> {
  const matches = (await listClusters<ClusterRow>(client, { search: name })).filter((c) => c.name === name);
  const found = matches.find((c) => c.status !== 'DETACHED') ?? matches[0];
  if (!found) throw new CliError(`no cluster named ${JSON.stringify(name)} in this organization (see flotilla cluster list)`);
  return found;
}

interface CliClusterListData<T> {
  clusters: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: T }> };
}

/**
 * Every cluster matching `filter` (ClusterFilter: the API filters, so a search among 10,000
 * clusters costs a page, not the fleet), following CliClusterList pages of 100.
 */
export async function listClusters<T>(client: GraphqlClient, filter: Record<string, unknown> = {}, limit = Infinity): Promise<T[]> {
  const rows: T[] = [];
  const seen = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const data: CliClusterListData<T> = await client.request<CliClusterListData<T>>('CliClusterList', { filter, first: PAGE_SIZE, after });
    rows.push(...data.clusters.edges.map((e) => e.node));
    const { hasNextPage, endCursor } = data.clusters.pageInfo;
    if (!hasNextPage || !endCursor || rows.length >= limit) return rows.slice(0, limit);
    if (seen.has(endCursor)) throw new CliError('the API returned the same page cursor twice; giving up listing clusters');
    seen.add(endCursor);
    after = endCursor;
  }
}

export interface ClusterGroup {
  id: string;
  name: string;
  description: string | null;
  clusterCount: number;
}

interface ClusterGroupsData {
  clusterGroups: ClusterGroup[];
}

/** The group with this name (or id), or undefined. */
export async function findGroup(client: GraphqlClient, group: string): Promise<ClusterGroup | undefined> {
  const { clusterGroups } = await client.request<ClusterGroupsData>('ClusterGroups');
  return clusterGroups.find((g) => g.name === group) ?? clusterGroups.find((g) => g.id === group);
}

/** A group's id from its name (an id is accepted too); unknown → error listing the groups. */
export async function resolveGroupId(client: GraphqlClient, group: string): Promise<string> {
  const { clusterGroups } = await client.request<ClusterGroupsData>('ClusterGroups');
  const found = clusterGroups.find((g) => g.name === group) ?? clusterGroups.find((g) => g.id === group);
  if (!found) {
    const names = clusterGroups.map((g) => g.name).sort();
    throw new CliError(
      `unknown cluster group ${JSON.stringify(group)} (groups: ${names.length ? names.join(', ') : 'none yet'}); create it with: flotilla group create ${shellWord(group)}`,
    );
  }
  return found.id;
}

/** A value as it must be typed in a shell command line. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
