/**
 * Builds the metadata every generated object carries: a uid derived from the object's identity (so
 * it survives regeneration and owner references can be computed up front) and creation times
 * relative to the cluster's seeded birth. resourceVersion is the server's business.
 */
import type { KubeObject, ObjectMeta } from './contract';
import { timestampAt } from './kube-version';
import { uuidFor } from './seeded-random';

export interface MetaOptions {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Seconds after the cluster was created. */
  ageOffsetSeconds?: number;
  ownerReferences?: ObjectMeta['ownerReferences'];
  generation?: number;
}

export class ObjectFactory {
  constructor(
    readonly seed: number,
    /** Cluster creation instant (ms since the Unix epoch). */
    readonly createdMs: number,
  ) {}

  uid(kind: string, name: string, namespace?: string): string {
    return uuidFor(`${kind}/${namespace ?? ''}/${name}`, this.seed);
  }

  timestamp(offsetSeconds = 0): string {
    return timestampAt(this.createdMs + offsetSeconds * 1000);
  }

  meta(kind: string, name: string, options: MetaOptions = {}): ObjectMeta {
    const meta: ObjectMeta = { name };
    if (options.namespace !== undefined) meta.namespace = options.namespace;
    meta.uid = this.uid(kind, name, options.namespace);
    meta.creationTimestamp = this.timestamp(options.ageOffsetSeconds ?? 0);
    if (options.generation !== undefined) meta.generation = options.generation;
    // Copies: callers reuse label maps across objects, and the server may edit any object in place.
    meta.labels = { ...options.labels };
    if (options.annotations) meta.annotations = { ...options.annotations };
    if (options.ownerReferences) meta.ownerReferences = options.ownerReferences.map((ref) => ({ ...ref }));
    return meta;
  }

  object(apiVersion: string, kind: string, name: string, options: MetaOptions, body: Record<string, unknown>): KubeObject {
    return { apiVersion, kind, metadata: this.meta(kind, name, options), ...body };
  }

  ownerRef(apiVersion: string, kind: string, name: string, namespace?: string): NonNullable<ObjectMeta['ownerReferences']>[number] {
    return { apiVersion, kind, name, uid: this.uid(kind, name, namespace), controller: true, blockOwnerDeletion: true } as NonNullable<ObjectMeta['ownerReferences']>[number];
  }
}
