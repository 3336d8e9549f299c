import type { KubeObject } from './inspection.types';

/** "namespace/name", or "name" for cluster-scoped objects. */
export function ref(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** A nested field without trusting the shape of what the API server (or a fake) returned. */
export function field(o: unknown, ...path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function conditions(o: KubeObject): Condition[] {
  const c = field(o, 'status', 'conditions');
  return Array.isArray(c) ? (c.filter((x) => x && typeof x === 'object' && typeof (x as Condition).type === 'string') as Condition[]) : [];
}

export function condition(o: KubeObject, type: string): Condition | undefined {
  return conditions(o).find((c) => c.type === type);
}

/** "a, b and 3 more": long lists stay readable in a one-line message. */
export function listOf(items: string[], max = 10, sep = ', '): string {
  if (items.length <= max) return items.join(sep);
  return `${items.slice(0, max).join(sep)}${sep}and ${items.length - max} more`;
}

export const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'flotilla-system']);
