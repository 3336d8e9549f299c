/**
 * Every simulated cluster and its lazily materialised objects. A cluster's base objects are
 * generated the first time they are needed; writes are recorded in the cluster's overlay. Clusters
 * are evicted least-recently-used and rebuilt (deterministic base + overlay) when needed again, so
 * 10,000 clusters fit in memory even when every one of them has been written to.
 */
import type { ClusterSpec, GenerationContext, KubeObject } from '../content/contract';
import type { ResourceCatalog } from '../catalog/resource-catalog';
import type { TokenController } from '../controllers/token.controller';
import { type Change, ObjectStore } from '../store/object-store';
import type { ContentSource } from './content-source';
import { type ClusterRecord, newRecord } from './cluster-record';
import { missingBootstrapObjects } from './bootstrap-objects';

export type FleetChangeListener = (record: ClusterRecord, change: Change) => void;

export interface FleetOptions {
  content: ContentSource;
  catalog: ResourceCatalog;
  tokens: TokenController;
  fleetSeed: number;
  /** How many unwritten clusters may stay materialised. */
  residentLimit?: number;
}

export class FleetRegistry {
  private readonly records = new Map<string, ClusterRecord>();
  /** Clean materialised clusters in least-recently-used order (Map keeps insertion order). */
  private readonly resident = new Map<string, ClusterRecord>();
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
    const store = this.materialize(record);
    record.store = store;
    this.resident.set(record.spec.name, record);
    this.evict();
    return store;
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
    return [...gen.objects, ...missingBootstrapObjects(gen.objects)];
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
    store.onChange((change) => {
      record.dirty = true;
      record.rv = store.rv;
      const o = change.stored.obj;
      const ns = o.metadata.namespace ?? '';
      record.overlay.set(`${change.storeKey}\u0000${ns}\u0000${o.metadata.name}`, { storeKey: change.storeKey, namespace: ns, name: o.metadata.name, obj: change.type === 'DELETED' ? null : o });
      if (change.storeKey === '/nodes' && change.type !== 'MODIFIED') record.nodeCount = store.count('/nodes');
      for (const l of this.listeners) l(record, change);
    });
    return store;
  }

  /** After a managed cluster is added: the management cluster is rebuilt (or, while pinned, extended). */
  private refreshManagement(name: string): void {
    const mgmt = this.records.get(name);
    if (!mgmt?.store) return;
    if (mgmt.pins === 0) {
      mgmt.store = undefined;
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
    const limit = this.opts.residentLimit ?? 256;
    if (this.resident.size <= limit) return;
    for (const [name, record] of this.resident) {
      if (this.resident.size <= limit) break;
      if (record.pins > 0) continue;
      this.resident.delete(name);
      record.store = undefined;
    }
  }
}
