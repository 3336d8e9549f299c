import { KubeObject } from './cluster-client';

export interface NodeHealth {
  nodeCount: number;
  readyNodeCount: number;
  notReady: string[];
}

const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** Ready means the node's Ready condition is "True"; anything else (False, Unknown, missing) is not. */
export function nodeReady(n: KubeObject): boolean {
  const conditions = ((n.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []);
  return conditions.find((c) => c.type === 'Ready')?.status === 'True';
}

/** The kubelet version the node reports, '' when it reports none. */
export function kubeletVersionOf(n: KubeObject): string {
  return (n.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion ?? '';
}

/** A control-plane node by its role label (either spelling). */
export function isControlPlaneNode(n: KubeObject): boolean {
  return CONTROL_PLANE_LABELS.some((l) => l in (n.metadata.labels ?? {}));
}

export function assessNodes(nodes: KubeObject[]): NodeHealth {
  const notReady: string[] = [];
  for (const n of nodes) if (!nodeReady(n)) notReady.push(n.metadata.name);
  return { nodeCount: nodes.length, readyNodeCount: nodes.length - notReady.length, notReady: notReady.sort() };
}

/** CONNECTED when every node is Ready, DEGRADED (with the nodes named) otherwise. */
export function statusFromNodes(h: NodeHealth): { status: 'CONNECTED' | 'DEGRADED'; reason: string | null } {
  if (h.nodeCount > 0 && h.notReady.length === 0) return { status: 'CONNECTED', reason: null };
  if (h.nodeCount === 0) return { status: 'DEGRADED', reason: 'the cluster reports no nodes' };
  const shown = h.notReady.slice(0, 5).join(', ') + (h.notReady.length > 5 ? ` and ${h.notReady.length - 5} more` : '');
  return { status: 'DEGRADED', reason: `${h.notReady.length} of ${h.nodeCount} nodes not Ready: ${shown}` };
}
