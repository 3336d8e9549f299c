/**
 * One cluster's objects: storeKey → namespace → name, with a resourceVersion counter and a bounded
 * history of changes for watch resumption. Stored objects are never mutated in place: a write
 * replaces the record, so a cached serialisation stays valid for the record's lifetime.
 */
import type { KubeObject } from '../content/contract';

export interface StoredObject {
  readonly obj: KubeObject;
  readonly rv: number;
  /** JSON of obj, computed on first serialisation (list responses join these). */
  json?: string;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  storeKey: string;
  stored: StoredObject;
  old?: StoredObject;
}

export type ChangeListener = (change: Change) => void;

/** Where a store rebuilt from a cluster's snapshot reads a kind the first time it is touched. */
export interface KindSource {
  keys(): Iterable<string>;
  load(storeKey: string): KubeObject[];
}

class NamespaceBucket {
  readonly byName = new Map<string, StoredObject>();
  sorted: StoredObject[] | null = null;

  list(): StoredObject[] {
    if (!this.sorted) this.sorted = [...this.byName.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
    return this.sorted;
  }
}

const HISTORY_LIMIT = 2000;

export class ObjectStore {
  private readonly kinds = new Map<string, Map<string, NamespaceBucket>>();
  private history: Change[] = [];
  /** Changes at or below this resourceVersion are no longer in history (a watch from before gets 410). */
  historyFloor: number;
  private readonly listeners: ChangeListener[] = [];
  /** Kinds read from `source` so far (a rebuilt store decodes only the kinds a request touches). */
  private readonly loaded = new Set<string>();

  constructor(
    public rv: number,
    private readonly source?: KindSource,
  ) {
    this.historyFloor = rv;
  }

  /** The kinds this store holds decoded (all of them unless it was rebuilt from a snapshot). */
  loadedKinds(): string[] {
    return this.source ? [...this.loaded] : [...this.kinds.keys()];
  }

  private ensure(storeKey: string): void {
    if (!this.source || this.loaded.has(storeKey)) return;
    this.loaded.add(storeKey);
    for (const obj of this.source.load(storeKey)) {
      const bucket = this.bucket(storeKey, obj.metadata.namespace ?? '');
      bucket.byName.set(obj.metadata.name, { obj, rv: Number(obj.metadata.resourceVersion) });
      bucket.sorted = null;
    }
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  get(storeKey: string, namespace: string, name: string): StoredObject | undefined {
    this.ensure(storeKey);
    return this.kinds.get(storeKey)?.get(namespace)?.byName.get(name);
  }

  /** Objects sorted by namespace then name; namespace undefined = all namespaces. */
  list(storeKey: string, namespace?: string): StoredObject[] {
    this.ensure(storeKey);
    const byNs = this.kinds.get(storeKey);
    if (!byNs) return [];
    if (namespace !== undefined) return byNs.get(namespace)?.list() ?? [];
    if (byNs.size === 1) return byNs.values().next().value!.list();
    const out: StoredObject[] = [];
    for (const ns of [...byNs.keys()].sort()) out.push(...byNs.get(ns)!.list());
    return out;
  }

  count(storeKey: string): number {
    this.ensure(storeKey);
    let n = 0;
    for (const b of this.kinds.get(storeKey)?.values() ?? []) n += b.byName.size;
    return n;
  }

  /** Loads a base object with a resourceVersion already assigned; no events. */
  load(storeKey: string, obj: KubeObject, rv: number): void {
    this.ensure(storeKey);
    const bucket = this.bucket(storeKey, obj.metadata.namespace ?? '');
    bucket.byName.set(obj.metadata.name, { obj, rv });
    bucket.sorted = null;
  }

  /** Drops an object without events (rebuilding a cluster from its base and overlay). */
  unload(storeKey: string, namespace: string, name: string): void {
    this.ensure(storeKey);
    const bucket = this.kinds.get(storeKey)?.get(namespace);
    if (bucket?.byName.delete(name)) bucket.sorted = null;
  }

  /** Stores obj under the next resourceVersion (written into its metadata) and tells listeners. */
  put(storeKey: string, obj: KubeObject): StoredObject {
    const ns = obj.metadata.namespace ?? '';
    this.ensure(storeKey);
    const bucket = this.bucket(storeKey, ns);
    const old = bucket.byName.get(obj.metadata.name);
    const rv = ++this.rv;
    obj.metadata.resourceVersion = String(rv);
    const stored: StoredObject = { obj, rv };
    bucket.byName.set(obj.metadata.name, stored);
    bucket.sorted = null;
    this.emit({ type: old ? 'MODIFIED' : 'ADDED', storeKey, stored, old });
    return stored;
  }

  remove(storeKey: string, namespace: string, name: string): StoredObject | undefined {
    this.ensure(storeKey);
    const bucket = this.kinds.get(storeKey)?.get(namespace);
    const old = bucket?.byName.get(name);
    if (!bucket || !old) return undefined;
    bucket.byName.delete(name);
    bucket.sorted = null;
    // A deletion has its own resourceVersion, as in etcd.
    const rv = ++this.rv;
    const obj = { ...old.obj, metadata: { ...old.obj.metadata, resourceVersion: String(rv) } };
    const stored: StoredObject = { obj, rv };
    this.emit({ type: 'DELETED', storeKey, stored, old });
    return stored;
  }

  /** Every namespaced object of every kind in a namespace (for namespace deletion). */
  namespaceContents(namespace: string): Array<{ storeKey: string; name: string }> {
    const out: Array<{ storeKey: string; name: string }> = [];
    for (const key of this.source?.keys() ?? []) this.ensure(key);
    for (const [storeKey, byNs] of this.kinds) {
      for (const name of byNs.get(namespace)?.byName.keys() ?? []) out.push({ storeKey, name });
    }
    return out;
  }

  /** Changes after rv, or undefined when some were already dropped from history. */
  changesSince(rv: number): Change[] | undefined {
    if (rv < this.historyFloor) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].stored.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Forgets history (tests use it to provoke 410 Gone). */
  compact(): void {
    this.history = [];
    this.historyFloor = this.rv;
  }

  private emit(change: Change): void {
    this.history.push(change);
    if (this.history.length > HISTORY_LIMIT) {
      const dropped = this.history.splice(0, this.history.length - HISTORY_LIMIT);
      this.historyFloor = dropped[dropped.length - 1].stored.rv;
    }
    for (const l of this.listeners) l(change);
  }

  private bucket(storeKey: string, ns: string): NamespaceBucket {
    let byNs = this.kinds.get(storeKey);
    if (!byNs) this.kinds.set(storeKey, (byNs = new Map()));
    let b = byNs.get(ns);
    if (!b) byNs.set(ns, (b = new NamespaceBucket()));
    return b;
  }
}
