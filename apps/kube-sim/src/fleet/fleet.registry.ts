/**
 * Every simulated cluster and its lazily materialised objects. A cluster's base objects are
 * generated the first time they are needed; unwritten clusters are evicted least-recently-used
 * and regenerated (deterministically) when needed again, so 10,000 clusters fit in memory.
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
      if (!record.dirty) {
        this.resident.delete(record.spec.name);
        this.resident.set(record.spec.name, record);
      }
      return record.store;
    }
    const store = this.materialize(record);
    record.store = store;
    this.resident.set(record.spec.name, record);
    this.evict();
    return store;
  }

  /** Pins a cluster in memory: it has state the generator cannot reproduce. */
  markDirty(record: ClusterRecord): void {
    if (record.dirty) return;
    record.dirty = true;
    this.resident.delete(record.spec.name);
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
    let nodes = 0;
    for (const obj of objects) {
      const t = this.opts.catalog.ensureKind(obj.apiVersion, obj.kind, obj.metadata.namespace !== undefined);
      obj.metadata.resourceVersion = String(++rv);
      if (obj.metadata.generation === undefined && obj.spec !== undefined && t.group !== '') obj.metadata.generation = 1;
      store.load(t.storeKey, obj, rv);
      if (t.storeKey === '/nodes') nodes++;
    }
    store.rv = rv;
    store.historyFloor = rv;
    for (const s of store.list('/secrets')) {
      const filled = this.opts.tokens.filled(record.spec.name, store, s.obj);
      if (filled) store.load('/secrets', filled, s.rv);
    }
    if (record.nodeCount === undefined) record.nodeCount = nodes;
    store.onChange((change) => {
      this.markDirty(record);
      if (change.storeKey === '/nodes' && change.type !== 'MODIFIED') record.nodeCount = store.count('/nodes');
      for (const l of this.listeners) l(record, change);
    });
    return store;
  }

  /** After a managed cluster is added: a clean management cluster is regenerated, a written one extended. */
  private refreshManagement(name: string): void {
    const mgmt = this.records.get(name);
    if (!mgmt?.store) return;
    if (!mgmt.dirty) {
      mgmt.store = undefined;
      this.resident.delete(name);
      return;
    }
    const store = mgmt.store;
    for (const obj of this.generate(mgmt)) {
      const t = this.opts.catalog.ensureKind(obj.apiVersion, obj.kind, obj.metadata.namespace !== undefined);
      if (!store.get(t.storeKey, obj.metadata.namespace ?? '', obj.metadata.name)) store.put(t.storeKey, obj);
    }
  }

  private evict(): void {
    const limit = this.opts.residentLimit ?? 256;
    while (this.resident.size > limit) {
      const [name, record] = this.resident.entries().next().value as [string, ClusterRecord];
      this.resident.delete(name);
      if (!record.dirty) record.store = undefined;
    }
  }
}
