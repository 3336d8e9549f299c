/**
 * Create, update and delete with the API server's bookkeeping (uid, timestamps, generation,
 * resourceVersion preconditions) and the synchronous parts of its controllers: a new namespace gets
 * its `default` ServiceAccount and `kube-root-ca.crt`, token Secrets are filled, and deleting a
 * namespace deletes what it holds.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../content/contract';
import type { ResourceType } from '../catalog/resource-type';
import type { ClusterRecord } from '../fleet/cluster-record';
import type { TokenController } from '../controllers/token.controller';
import type { ObjectStore, StoredObject } from '../store/object-store';
import { errors } from '../http/api-error';
import { validateObject } from './object-validation';
import { settledStatus } from '../controllers/workload-status.controller';

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function isEqualJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface WriteOptions {
  dryRun?: boolean;
  /** Status subresource write: only status changes. */
  statusOnly?: boolean;
}

export class ObjectWriter {
  constructor(
    private readonly tokens: TokenController,
    private readonly caPem: string,
    /** How long a deleted namespace stays Terminating before its contents go. */
    private readonly namespaceFinalizeMs = 500,
  ) {}

  create(record: ClusterRecord, store: ObjectStore, type: ResourceType, obj: KubeObject, opts: WriteOptions = {}): KubeObject {
    const meta = obj.metadata;
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) {
      do meta.name = `${meta.generateName}${randomSuffix()}`;
      while (store.get(type.storeKey, meta.namespace ?? '', meta.name));
    }
    if (!meta.name) throw errors.invalid(type.kind, type.group, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
    if (type.kind === 'Secret') mergeStringData(obj);
    validateObject(type, obj);
    if (type.namespaced) {
      const ns = store.get('/namespaces', '', meta.namespace ?? '');
      if (!ns) throw errors.notFound({ group: '', resource: 'namespaces' }, meta.namespace ?? '');
      if (ns.obj.metadata.deletionTimestamp) {
        throw errors.forbidden(`${type.resource}${type.group ? `.${type.group}` : ''} "${meta.name}" is forbidden: unable to create new content in namespace ${String(meta.namespace)} because it is being terminated`, type, meta.name);
      }
    }
    if (store.get(type.storeKey, meta.namespace ?? '', meta.name)) throw errors.alreadyExists(type, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date(Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    delete meta.deletionTimestamp;
    if (obj.spec !== undefined && type.group !== '') meta.generation = 1;
    else delete meta.generation;
    if (type.kind === 'Namespace') {
      meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': meta.name };
      obj.spec = { finalizers: ['kubernetes'], ...(obj.spec as object) };
      obj.status = { phase: 'Active' };
    }
    if (type.kind === 'Pod' && obj.status === undefined) obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    if (opts.dryRun) return obj;
    let stored = store.put(type.storeKey, settledStatus(type.storeKey, obj));
    if (type.kind === 'Namespace') this.populateNamespace(store, meta.name);
    if (type.kind === 'Secret') {
      const filled = this.tokens.filled(record.spec.name, store, obj);
      if (filled) stored = store.put(type.storeKey, filled);
    }
    if (type.kind === 'ServiceAccount') for (const s of this.tokens.pending(record.spec.name, store, meta.namespace ?? '')) store.put('/secrets', s);
    return stored.obj;
  }

  update(record: ClusterRecord, store: ObjectStore, type: ResourceType, current: StoredObject, obj: KubeObject, opts: WriteOptions = {}): KubeObject {
    const meta = obj.metadata;
    const old = current.obj;
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && meta.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(type, old.metadata.name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== old.metadata.uid) {
      throw errors.conflict(type, old.metadata.name, `Precondition failed: UID in precondition: ${String(old.metadata.uid)}, UID in object meta: ${String(meta.uid)}`);
    }
    let next: KubeObject;
    const hasStatus = type.subresources?.includes('status');
    if (opts.statusOnly) {
      next = { ...old, metadata: { ...old.metadata }, status: obj.status };
    } else {
      next = { ...obj, metadata: { ...meta } };
      if (type.kind === 'Secret') mergeStringData(next);
      if (hasStatus) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
      validateObject(type, next, old);
    }
    next.metadata.uid = old.metadata.uid;
    next.metadata.creationTimestamp = old.metadata.creationTimestamp;
    next.metadata.namespace = old.metadata.namespace;
    if (next.metadata.namespace === undefined) delete next.metadata.namespace;
    next.metadata.generation = old.metadata.generation;
    if (old.metadata.generation === undefined) delete next.metadata.generation;
    if (!opts.statusOnly && old.metadata.generation !== undefined && !isEqualJson(old.spec, next.spec)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    if (type.kind === 'Namespace' && !opts.statusOnly) next.status = old.status;
    if (isEqualJson({ ...old, metadata: { ...old.metadata, resourceVersion: undefined } }, { ...next, metadata: { ...next.metadata, resourceVersion: undefined } })) {
      // A no-op update keeps its resourceVersion, as upstream does.
      return old;
    }
    if (opts.dryRun) {
      next.metadata.resourceVersion = old.metadata.resourceVersion;
      return next;
    }
    // Only a spec change (a new generation) rolls out: a label or annotation leaves status alone.
    const rolled = !opts.statusOnly && next.metadata.generation !== old.metadata.generation;
    let stored = store.put(type.storeKey, rolled ? settledStatus(type.storeKey, next) : next);
    if (type.kind === 'Secret') {
      const filled = this.tokens.filled(record.spec.name, store, stored.obj);
      if (filled) stored = store.put(type.storeKey, filled);
    }
    return stored.obj;
  }

  /** Deletes one object (a namespace with its contents) and returns what the API returns. */
  delete(record: ClusterRecord, store: ObjectStore, type: ResourceType, current: StoredObject, preconditions: { uid?: string; resourceVersion?: string } = {}, dryRun = false): KubeObject {
    const old = current.obj;
    if (preconditions.uid && preconditions.uid !== old.metadata.uid) {
      throw errors.conflict(type, old.metadata.name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${String(old.metadata.uid)}`);
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(type, old.metadata.name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${String(old.metadata.resourceVersion)}`);
    }
    if (dryRun) return old;
    if (type.kind === 'Namespace') return this.terminateNamespace(record, store, type.storeKey, current);
    // An object with finalizers only gets its deletionTimestamp: its controller removes it (Cluster API's Cluster).
    if (Array.isArray(old.metadata.finalizers) && old.metadata.finalizers.length > 0) {
      if (old.metadata.deletionTimestamp) return old;
      return store.put(type.storeKey, { ...old, metadata: { ...old.metadata, deletionTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } }).obj;
    }
    const removed = store.remove(type.storeKey, old.metadata.namespace ?? '', old.metadata.name);
    return removed?.obj ?? old;
  }

  /**
   * Namespace deletion as upstream does it: the namespace turns Terminating at once, and a moment
   * later its contents and then the namespace itself go (so `kubectl delete -f` of a manifest that
   * starts with its namespace still finds the other objects).
   */
  private terminateNamespace(record: ClusterRecord, store: ObjectStore, storeKey: string, current: StoredObject): KubeObject {
    const old = current.obj;
    if (old.metadata.deletionTimestamp) return old;
    const name = old.metadata.name;
    const terminating = store.put(storeKey, { ...old, metadata: { ...old.metadata, deletionTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }, status: { ...(old.status as object), phase: 'Terminating' } });
    // The store must stay the cluster's until the contents are gone: pinned against eviction.
    record.pins++;
    const timer = setTimeout(() => {
      record.pins--;
      if (record.store !== store) return;
      for (const item of store.namespaceContents(name)) store.remove(item.storeKey, name, item.name);
      if (store.get(storeKey, '', name)?.obj.metadata.uid === old.metadata.uid) store.remove(storeKey, '', name);
    }, this.namespaceFinalizeMs);
    timer.unref();
    return terminating.obj;
  }

  private populateNamespace(store: ObjectStore, ns: string): void {
    if (!store.get('/serviceaccounts', ns, 'default')) {
      store.put('/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } });
    }
    if (!store.get('/configmaps', ns, 'kube-root-ca.crt')) {
      store.put('/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kube-root-ca.crt', namespace: ns, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } },
        data: { 'ca.crt': this.caPem },
      });
    }
  }
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return s;
}

/** A Secret's write-only stringData, merged into data (base64) as kube-apiserver does; never stored or returned itself. */
function mergeStringData(obj: KubeObject): void {
  const stringData = obj.stringData as Record<string, unknown> | undefined;
  if (stringData === undefined) return;
  const data = { ...((obj.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(String(v)).toString('base64');
  obj.data = data;
  delete obj.stringData;
}
