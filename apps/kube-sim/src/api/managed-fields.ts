/**
 * Server-side apply's field ownership, simplified: each Apply manager owns the fields of its last
 * applied configuration (stored as upstream's FieldsV1: "f:<field>" and "k:{<merge key>}" entries).
 * Re-applying without a field removes it unless another Apply manager owns it. Conflicts between
 * managers are not detected (every apply behaves as if forced).
 */
import { isPlainObject } from './strategic-merge';

type FieldsV1 = { [k: string]: FieldsV1 };
type Segment = string; // "f:name" or "k:{...}"

const LIST_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  volumes: ['name'],
  env: ['name'],
  imagePullSecrets: ['name'],
  volumeMounts: ['mountPath'],
  conditions: ['type'],
  ownerReferences: ['uid'],
};
const SKIP_META = new Set(['name', 'namespace', 'resourceVersion', 'uid', 'managedFields', 'creationTimestamp', 'generation']);

function listKey(field: string, items: unknown[]): string[] | undefined {
  if (field === 'ports') {
    if (items.every((i) => isPlainObject(i) && i.containerPort !== undefined)) return ['containerPort', 'protocol'];
    if (items.every((i) => isPlainObject(i) && i.port !== undefined)) return ['port', 'protocol'];
    return undefined;
  }
  const keys = LIST_KEYS[field];
  return keys && items.every((i) => isPlainObject(i) && i[keys[0]] !== undefined) ? keys : undefined;
}

function itemSegment(item: Record<string, unknown>, keys: string[]): Segment {
  const k: Record<string, unknown> = {};
  for (const key of keys) k[key] = item[key] ?? (key === 'protocol' ? 'TCP' : undefined);
  return `k:${JSON.stringify(k)}`;
}

function walk(value: unknown, field: string | undefined): FieldsV1 {
  const out: FieldsV1 = {};
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) out[`f:${k}`] = walk(v, k);
  } else if (Array.isArray(value) && field) {
    const keys = listKey(field, value);
    if (keys) for (const item of value) out[itemSegment(item as Record<string, unknown>, keys)] = walk(item, undefined);
  }
  return out;
}

/** The FieldsV1 a configuration sets (identity fields excluded, as upstream). */
export function fieldsOf(applied: Record<string, unknown>): FieldsV1 {
  const root: FieldsV1 = {};
  for (const [k, v] of Object.entries(applied)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isPlainObject(v)) {
      const meta: FieldsV1 = {};
      for (const [mk, mv] of Object.entries(v)) if (!SKIP_META.has(mk)) meta[`f:${mk}`] = walk(mv, mk);
      if (Object.keys(meta).length > 0) root['f:metadata'] = meta;
      continue;
    }
    root[`f:${k}`] = walk(v, k);
  }
  return root;
}

function paths(fields: FieldsV1 | undefined, prefix: Segment[] = [], out: Segment[][] = []): Segment[][] {
  for (const [seg, sub] of Object.entries(fields ?? {})) {
    const p = [...prefix, seg];
    out.push(p);
    paths(sub, p, out);
  }
  return out;
}

function resolve(cur: unknown, seg: Segment): unknown {
  if (seg.startsWith('f:')) return isPlainObject(cur) ? cur[seg.slice(2)] : undefined;
  if (!Array.isArray(cur)) return undefined;
  const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
  return cur.find((i) => isPlainObject(i) && Object.entries(key).every(([k, v]) => (i[k] ?? (k === 'protocol' ? 'TCP' : undefined)) === v));
}

function remove(root: Record<string, unknown>, p: Segment[]): void {
  let parent: unknown = root;
  for (const seg of p.slice(0, -1)) parent = resolve(parent, seg);
  const last = p[p.length - 1];
  if (last.startsWith('f:')) {
    if (isPlainObject(parent)) delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const item = resolve(parent, last);
    const i = parent.indexOf(item);
    if (i >= 0) parent.splice(i, 1);
  }
}

/**
 * Removes from `merged` what `previous` set and `next` no longer sets, unless `others` own it.
 * Removes whole list items and leaves, then objects left empty by the removal.
 */
export function removeDropped(merged: Record<string, unknown>, previous: FieldsV1 | undefined, next: FieldsV1, others: FieldsV1[]): void {
  const key = (p: Segment[]) => p.join('\u0000');
  const keep = new Set(paths(next).map(key));
  const owned = others.flatMap((o) => paths(o)).map(key);
  const prev = paths(previous);
  const prevKeys = new Set(prev.map(key));
  const dropped = prev
    .filter((p) => !keep.has(key(p)))
    .filter((p) => !owned.some((o) => o === key(p) || o.startsWith(`${key(p)}\u0000`)))
    .filter((p) => p[p.length - 1].startsWith('k:') || !prev.some((q) => q.length > p.length && key(q).startsWith(`${key(p)}\u0000`)))
    .sort((a, b) => a.length - b.length);
  for (const p of dropped) {
    remove(merged, p);
    // Objects that only held what was dropped go too.
    for (let n = p.length - 1; n > 0; n--) {
      const ancestor = p.slice(0, n);
      if (keep.has(key(ancestor)) || !prevKeys.has(key(ancestor)) || !ancestor[ancestor.length - 1].startsWith('f:')) break;
      let node: unknown = merged;
      for (const seg of ancestor) node = resolve(node, seg);
      if (isPlainObject(node) && Object.keys(node).length === 0) remove(merged, ancestor);
      else break;
    }
  }
}
