import { KubeObject } from './cluster-client';

export interface NodeHealth {
  nodeCount: number;
  readyNodeCount: number;
  notReady: string[];
}

/** Ready means the node's Ready condition is "True"; anything else (False, Unknown, missing) is not. */
export function assessNodes(nodes: KubeObject[]): NodeHealth {
  const notReady: string[] = [];
  for (const n of nodes) {
    const conditions = ((n.status as any)?.conditions ?? []) as Array<{ type: string; status: string }>;
    if (conditions.find((c) => c.type === 'Ready')?.status !== 'True') notReady.push(n.metadata.name);
  }
  return { nodeCount: nodes.length, readyNodeCount: nodes.length - notReady.length, notReady: notReady.sort() };
}

/** CONNECTED when every node is Ready, DEGRADED (with the nodes named) otherwise. */
export function statusFromNodes(h: NodeHealth): { status: 'CONNECTED' | 'DEGRADED'; reason: string | null } {
  if (h.nodeCount > 0 && h.notReady.length === 0) return { status: 'CONNECTED', reason: null };
  if (h.nodeCount === 0) return { status: 'DEGRADED', reason: 'the cluster reports no nodes' };
  const shown = h.notReady.slice(0, 5).join(', ') + (h.notReady.length > 5 ? ` and ${h.notReady.length - 5} more` : '');
  return { status: 'DEGRADED', reason: `${h.notReady.length} of ${h.nodeCount} nodes not Ready: ${shown}` };
}
