import { checkUpgradeSkew, offeredSpelling, parseKubeVersion } from '@flotilla/upgrade';

/**
 * Pre-flight reasons as an operator wants to read them: one line per distinct reason. Per-node
 * reasons ("Node w-1: kubelet 1.27 is 4 minor versions behind …") that differ only in the node
 * name become one line naming the nodes; exact repeats are dropped; order of first sight is kept.
 */
export function summariseReasons(reasons: readonly string[]): string[] {
  const groups = new Map<string, { text: string; nodes: string[] }>();
  for (const raw of reasons) {
    const reason = raw.trim();
    if (!reason) continue;
    const perNode = /^Node (\S+?):? (.+)$/.exec(reason);
    const key = perNode ? `node:${perNode[2]}` : reason;
    const group = groups.get(key) ?? { text: perNode ? perNode[2] : reason, nodes: [] };
    if (perNode && !group.nodes.includes(perNode[1])) group.nodes.push(perNode[1]);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ text, nodes }) => {
    if (nodes.length === 0) return text;
    if (nodes.length === 1) return `Node ${nodes[0]}: ${text}`;
    const shown = nodes.length > 5 ? `${nodes.slice(0, 5).join(', ')} and ${nodes.length - 5} more` : nodes.join(', ');
    return `${nodes.length} nodes (${shown}): ${text}`;
  });
}

/** The line that closes every refusal: what the cluster can move to instead. */
export function offeredLine(current: string | null, available: readonly string[]): string {
  if (available.length === 0) return `Offered: nothing${current ? ` the cluster can move to from ${current}` : ''}.`;
  return `Offered${current ? ` from ${current}` : ''}: ${available.join(', ')}.`;
}

/**
 * Whether the API's own pre-flight will certainly refuse `target`, told from what the registry
 * already shows: a skipped minor, a downgrade, or a release the management cluster does not
 * offer. `available` is Cluster.availableUpgrades (the offered releases the skew rules allow).
 * Node readiness, kubelets and removed APIs need the cluster: pre-flight judges those later.
 */
export function certainRefusal(current: string, target: string, available: readonly string[]): string[] {
  try {
    parseKubeVersion(target);
  } catch (err) {
    return [`Target ${(err as Error).message}.`];
  }
  const skew = checkUpgradeSkew(current, target);
  if (!skew.allowed) return [`${capitalise(skew.reason)}.`];
  if (!available.includes(offeredSpelling(target, available))) return [`${target} is not offered by the management cluster.`];
  return [];
}

function capitalise(s: string): string {
  return /^v\d/.test(s) ? s : s.charAt(0).toUpperCase() + s.slice(1);
}
