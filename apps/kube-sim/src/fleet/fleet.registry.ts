/**
 * Every simulated cluster and its lazily materialised objects. A cluster's base objects are
 * generated the first time they are needed; writes are recorded in the cluster's overlay. Clusters
 * are evicted least-recently-used and rebuilt (deterministic base + overlay) when needed again, so
 * 10,000 clusters fit in memory even when every one of them has been written to.
 */
import type { ClusterSpec, DeprecatedApiUse, GenerationContext, KubeObject, VersionInfo } from '../content/contract';
import type { ResourceCatalog } from '../catalog/resource-catalog';
import type { TokenController } from '../controllers/token.controller';
import { type Change, type KindSource, ObjectStore } from '../store/object-store';
import { type ListSegment, buildSegment, segmentKey, segmentObjects, segmentRaw } from '../store/list-segment';
import type { ContentSource } from './content-source';
import { type ClusterRecord, newRecord } from './cluster-record';
import { missingBootstrapObjects } from './bootstrap-objects';

/**
 * A cluster's compact snapshot as plain data (a prewarm thread builds it, the server installs it):
 * every kind's all-namespaces segment packed into one buffer, plus what generation resolved.
 */
export interface ExportedSnapshot {
  name: string;
  spec: ClusterSpec;
  versionInfo?: VersionInfo;
  deprecatedApiUse?: DeprecatedApiUse[];
  nodeCount?: number;
  rv: number;
  segments: Array<{ key: string; offset: number; length: number; rawBytes: number; count: number; apiVersion: string | null }>;
  /** Its own ArrayBuffer (transferable): segments are views of it. */
  buf: Uint8Array;
}

export type FleetChangeListener = (record: ClusterRecord, change: Change) => void;

export interface FleetOptions {
  content: ContentSource;
  catalog: ResourceCatalog;
  tokens: TokenController;
  fleetSeed: number;
  /** How many clusters may stay materialised (decoded objects). */
  residentLimit?: number;
  /** Bytes of compact (gzip) cluster snapshots and list bodies kept; beyond, least recently used clusters regenerate. */
  snapshotBudgetBytes?: number;
  /** Bytes of list items kept decoded for clients that do not accept gzip. */
  decodedListBudgetBytes?: number;
  /** The server's CA (PEM): what every namespace's `kube-root-ca.crt` holds, as kube-controller-manager publishes it. */
  caPem?: string;
}

const DEFAULT_SNAPSHOT_BUDGET = 1024 * 1024 * 1024;
const DEFAULT_DECODED_BUDGET = 64 * 1024 * 1024;

/** The ConfigMap every namespace gets with the cluster's CA bundle. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

export class FleetRegistry {
  private readonly records = new Map<string, ClusterRecord>();
  /** Clean materialised clusters in least-recently-used order (Map keeps insertion order). */
  private readonly resident = new Map<string, ClusterRecord>();
  /** Clusters holding list segments, least recently used first. */
  private readonly snapshotted = new Map<string, ClusterRecord>();
  private snapshotBytes = 0;
  /** Bytes of segments kept decoded for clients that do not take gzip. */
  private rawBytes = 0;
  private readonly listeners: FleetChangeListener[] = [];
  private readonly removeListeners: Array<(name: string) => void> = [];
  baseUrl = '';

  constructor(private readonly opts: FleetOptions) {}

  onChange(l: FleetChangeListener): void {
    this.listeners.push(l);
  }

  onRemove(l: (name: string) => void): void {
    this.removeListeners.push(l);
  }

  serverUrlFor(name: string): string {
    return `${this.baseUrl}/clusters/${name}`;
  }

  get(name: string): ClusterRecord | undefined {
    return this.records.get(name);
  }

  names(): string[] {
    return [...this.records.keys()];
  }

  size(): number {
    return this.records.size;
  }

  add(spec: ClusterSpec): ClusterRecord {
    const record = newRecord(spec);
    this.records.set(spec.name, record);
    // A management cluster's content lists what it manages: regenerate (or extend) it.
    if (spec.managedBy) this.refreshManagement(spec.managedBy);
    return record;
  }

  remove(name: string): boolean {
    const record = this.records.get(name);
    if (!record) return false;
    this.records.delete(name);
    this.resident.delete(name);
    this.dropSnapshot(record);
    for (const l of this.removeListeners) l(name);
    return true;
  }

  /** The cluster's objects, generating them if needed. */
  store(record: ClusterRecord): ObjectStore {
    if (record.store) {
      this.resident.delete(record.spec.name);
      this.resident.set(record.spec.name, record);
      return record.store;
    }
    const store = record.snapshotComplete ? this.rebuild(record) : this.materialize(record);
    record.store = store;
    this.resident.set(record.spec.name, record);
    this.evict();
    return store;
  }

  /**
   * The serialised items of a kind in a namespace ('' = all), built from the store on first use and
   * kept until a write to that kind. Undefined when the cluster has no such kind.
   */
  listSegment(record: ClusterRecord, storeKey: string, namespace: string): ListSegment {
    const key = segmentKey(storeKey, namespace);
    let seg = record.lists.get(key);
    if (seg) {
      this.touchSnapshot(record);
      return seg;
    }
    const store = this.store(record);
    seg = buildSegment(store.list(storeKey, namespace === '' ? undefined : namespace));
    this.addSegment(record, key, seg);
    return seg;
  }

  /**
   * A segment's items decoded. Kept decoded while the budget allows; once full, further segments are
   * inflated per request (a scan that cycles through more than the budget still hits on what fits,
   * where least-recently-used eviction would miss on everything).
   */
  segmentItems(seg: ListSegment): Buffer {
    if (seg.raw) return seg.raw;
    const raw = segmentRaw(seg);
    if (this.rawBytes + raw.length <= (this.opts.decodedListBudgetBytes ?? DEFAULT_DECODED_BUDGET)) {
      seg.raw = raw;
      this.rawBytes += raw.length;
    }
    return raw;
  }

  /** Bytes held by compact snapshots and list bodies across the fleet. */
  snapshotSize(): number {
    return this.snapshotBytes;
  }

  private addSegment(record: ClusterRecord, key: string, seg: ListSegment, keepDecoded = true): void {
    const old = record.lists.get(key);
    if (old) this.forget(record, key, old);
    if (seg.raw && (!keepDecoded || this.rawBytes + seg.raw.length > (this.opts.decodedListBudgetBytes ?? DEFAULT_DECODED_BUDGET))) seg.raw = undefined;
    if (seg.raw) this.rawBytes += seg.raw.length;
    record.lists.set(key, seg);
    this.adjustBytes(record, seg.gz.length);
    this.touchSnapshot(record);
    this.enforceSnapshotBudget();
  }

  private forget(record: ClusterRecord, key: string, seg: ListSegment): void {
    record.lists.delete(key);
    this.adjustBytes(record, -seg.gz.length);
    if (seg.raw) {
      this.rawBytes -= seg.raw.length;
      seg.raw = undefined;
    }
  }

  private adjustBytes(record: ClusterRecord, delta: number): void {
    record.listBytes += delta;
    this.snapshotBytes += delta;
  }

  private touchSnapshot(record: ClusterRecord): void {
    this.snapshotted.delete(record.spec.name);
    this.snapshotted.set(record.spec.name, record);
  }

  /** A write to a kind: its list bodies go (and, without its all-namespaces body, the snapshot is no longer complete until eviction re-takes it). */
  private dropSegments(record: ClusterRecord, storeKey: string): void {
    const prefix = `${storeKey}\u0000`;
    for (const [key, seg] of record.lists) {
      if (!key.startsWith(prefix)) continue;
      this.forget(record, key, seg);
    }
  }

  private dropSnapshot(record: ClusterRecord): void {
    for (const [key, seg] of record.lists) this.forget(record, key, seg);
    record.snapshotComplete = false;
    this.snapshotted.delete(record.spec.name);
  }

  private enforceSnapshotBudget(): void {
    const budget = this.opts.snapshotBudgetBytes ?? DEFAULT_SNAPSHOT_BUDGET;
    if (this.snapshotBytes <= budget) return;
    for (const record of this.snapshotted.values()) {
      if (this.snapshotBytes <= budget * 0.9) break;
      // A store rebuilt from its snapshot may not have decoded every kind yet: keep what it reads from.
      if (record.store) continue;
      this.dropSnapshot(record);
    }
  }

  /**
   * Before a store is dropped: every kind it holds decoded gets its all-namespaces body (kinds it
   * never decoded still have theirs), so the cluster can be rebuilt from the snapshot alone.
   */
  private takeSnapshot(record: ClusterRecord, store: ObjectStore): void {
    for (const [key, seg] of record.lists) {
      if (!key.endsWith('\u0000')) this.forget(record, key, seg);
    }
    for (const storeKey of store.loadedKinds()) {
      const key = segmentKey(storeKey, '');
      if (!record.lists.has(key)) this.addSegment(record, key, buildSegment(store.list(storeKey)), false);
    }
    record.snapshotComplete = record.lists.size > 0;
  }

  /** A store over the cluster's snapshot: nothing decoded until a request touches a kind. */
  private rebuild(record: ClusterRecord): ObjectStore {
    const source: KindSource = {
      keys: () => [...record.lists.keys()].filter((k) => k.endsWith('\u0000')).map((k) => k.slice(0, -1)),
      load: (storeKey) => {
        const seg = record.lists.get(segmentKey(storeKey, ''));
        return seg ? segmentObjects(seg) : [];
      },
    };
    const store = new ObjectStore(record.rv, source);
    this.watchStore(record, store);
    return store;
  }

  /**
   * Generates a never-touched cluster and returns its compact snapshot, keeping nothing decoded
   * (the same objects, resourceVersions and tokens its first touch would have produced).
   */
  exportSnapshot(record: ClusterRecord): ExportedSnapshot {
    const store = this.materialize(record);
    const segs: Array<{ key: string; seg: ListSegment }> = [];
    let total = 0;
    for (const storeKey of store.loadedKinds()) {
      const seg = buildSegment(store.list(storeKey));
      segs.push({ key: segmentKey(storeKey, ''), seg });
      total += seg.gz.length;
    }
    const buf = new Uint8Array(total);
    const segments: ExportedSnapshot['segments'] = [];
    let offset = 0;
    for (const { key, seg } of segs) {
      buf.set(seg.gz, offset);
      segments.push({ key, offset, length: seg.gz.length, rawBytes: seg.rawBytes, count: seg.count, apiVersion: seg.apiVersion });
      offset += seg.gz.length;
    }
    record.store = undefined;
    return { name: record.spec.name, spec: record.spec, versionInfo: record.versionInfo, deprecatedApiUse: record.deprecatedApiUse, nodeCount: record.nodeCount, rv: record.rv, segments, buf };
  }

  /** Installs a snapshot built by exportSnapshot (here or in a prewarm thread) on a cluster nothing has touched yet. */
  importSnapshot(record: ClusterRecord, snap: ExportedSnapshot): boolean {
    if (record.store || record.dirty || record.overlay.size > 0) return false;
    this.dropSnapshot(record);
    record.spec = snap.spec;
    record.resolved = true;
    record.versionInfo = snap.versionInfo;
    record.deprecatedApiUse = snap.deprecatedApiUse;
    record.nodeCount = snap.nodeCount;
    record.rv = Math.max(record.rv, snap.rv);
    // One buffer per cluster: a write that drops one kind's segment keeps at most this cluster's snapshot alive.
    const buf = Buffer.from(snap.buf.buffer, snap.buf.byteOffset, snap.buf.byteLength);
    for (const s of snap.segments) {
      this.addSegment(record, s.key, { gz: buf.subarray(s.offset, s.offset + s.length), rawBytes: s.rawBytes, count: s.count, apiVersion: s.apiVersion }, false);
    }
    record.snapshotComplete = record.lists.size > 0;
    return true;
  }

  markDirty(record: ClusterRecord): void {
    record.dirty = true;
  }

  /** Version and node count without keeping the cluster materialised longer than needed. */
  summary(record: ClusterRecord): { version: string; nodes: number } {
    if (record.nodeCount === undefined && !record.versionInfo && this.opts.content.summarize) {
      return this.opts.content.summarize(record.spec, this.opts.fleetSeed);
    }
    if (record.nodeCount === undefined || !record.versionInfo) this.store(record);
    return { version: record.versionInfo!.gitVersion, nodes: record.nodeCount! };
  }

  private context(name: string): GenerationContext {
    const managed: ClusterSpec[] = [];
    for (const r of this.records.values()) if (r.spec.managedBy === name) managed.push(r.spec);
    return { fleetSeed: this.opts.fleetSeed, managed, serverUrlFor: (n) => this.serverUrlFor(n) };
  }

  private generate(record: ClusterRecord): KubeObject[] {
    const gen = this.opts.content.generateCluster(record.spec, this.context(record.spec.name));
    if (!record.resolved) {
      record.spec = { ...record.spec, ...gen.spec };
      record.resolved = true;
    }
    if (!record.versionInfo) record.versionInfo = gen.versionInfo;
    record.deprecatedApiUse = gen.deprecatedApiUse;
    const objects = [...gen.objects, ...missingBootstrapObjects(gen.objects)];
    // The generator only knows a placeholder bundle: the real CA belongs to this server's TLS.
    const ca = this.opts.caPem;
    if (ca) for (const o of objects) if (o.kind === 'ConfigMap' && o.metadata.name === ROOT_CA_CONFIGMAP) o.data = { ...(o.data as object), 'ca.crt': ca };
    return objects;
  }

  private materialize(record: ClusterRecord): ObjectStore {
    const objects = this.generate(record);
    let rv = 0;
    const store = new ObjectStore(0);
    for (const obj of objects) {
      const t = this.opts.catalog.ensureKind(obj.apiVersion, obj.kind, obj.metadata.namespace !== undefined);
      obj.metadata.resourceVersion = String(++rv);
      if (obj.metadata.generation === undefined && obj.spec !== undefined && t.group !== '') obj.metadata.generation = 1;
      store.load(t.storeKey, obj, rv);
    }
    for (const s of store.list('/secrets')) {
      const filled = this.opts.tokens.filled(record.spec.name, store, s.obj);
      if (filled) store.load('/secrets', filled, s.rv);
    }
    // What was written since generation, on top.
    for (const e of record.overlay.values()) {
      if (e.obj) store.load(e.storeKey, e.obj, Number(e.obj.metadata.resourceVersion));
      else store.unload(e.storeKey, e.namespace, e.name);
    }
    store.rv = Math.max(rv, record.rv);
    record.rv = store.rv;
    // Watch history does not survive a rebuild: older resourceVersions get 410, as after compaction.
    store.historyFloor = store.rv;
    record.nodeCount = store.count('/nodes');
    // Regenerated: any older snapshot (taken before a management cluster's content changed) is stale.
    this.dropSnapshot(record);
    this.watchStore(record, store);
    return store;
  }

  private watchStore(record: ClusterRecord, store: ObjectStore): void {
    store.onChange((change) => {
      record.dirty = true;
      record.rv = store.rv;
      const o = change.stored.obj;
      const ns = o.metadata.namespace ?? '';
      record.overlay.set(`${change.storeKey}\u0000${ns}\u0000${o.metadata.name}`, { storeKey: change.storeKey, namespace: ns, name: o.metadata.name, obj: change.type === 'DELETED' ? null : o });
      if (change.storeKey === '/nodes' && change.type !== 'MODIFIED') record.nodeCount = store.count('/nodes');
      this.dropSegments(record, change.storeKey);
      for (const l of this.listeners) l(record, change);
    });
  }

  /** After a managed cluster is added: the management cluster is rebuilt (or, while pinned, extended). */
  private refreshManagement(name: string): void {
    const mgmt = this.records.get(name);
    if (!mgmt) return;
    // A snapshot (prewarmed or taken at eviction) predates the new managed cluster: regenerate on next use.
    if (!mgmt.store) {
      this.dropSnapshot(mgmt);
      return;
    }
    if (mgmt.pins === 0) {
      mgmt.store = undefined;
      this.dropSnapshot(mgmt);
      this.resident.delete(name);
      return;
    }
    const store = mgmt.store;
    for (const obj of this.generate(mgmt)) {
      const t = this.opts.catalog.ensureKind(obj.apiVersion, obj.kind, obj.metadata.namespace !== undefined);
      const key = `${t.storeKey}\u0000${obj.metadata.namespace ?? ''}\u0000${obj.metadata.name}`;
      if (!store.get(t.storeKey, obj.metadata.namespace ?? '', obj.metadata.name) && !mgmt.overlay.has(key)) store.put(t.storeKey, obj);
    }
  }

  private evict(): void {
    const limit = this.opts.residentLimit ?? 64;
    if (this.resident.size <= limit) return;
    for (const [name, record] of this.resident) {
      if (this.resident.size <= limit) break;
      if (record.pins > 0) continue;
      this.resident.delete(name);
      if (record.store) this.takeSnapshot(record, record.store);
      record.store = undefined;
    }
  }
}
