import { asRecord, type KubeObject } from './kube-object';
import type { ClusterSnapshot, SnapshotKind } from './policy.types';

/**
 * Read access to a snapshot for evaluators: refuses kinds that were not fetched (evaluating them
 * as "none exist" would report false violations) and indexes objects by namespace once.
 */
export class SnapshotView {
  private readonly byNamespace = new Map<SnapshotKind, Map<string, KubeObject[]>>();

  constructor(private readonly snapshot: ClusterSnapshot) {}

  list(kind: SnapshotKind): KubeObject[] {
    const objects = this.snapshot[kind];
    if (!objects) throw new Error(`The cluster snapshot has no ${kind} list; fetch the kinds snapshotKindsFor() names`);
    return objects;
  }

  has(kind: SnapshotKind): boolean {
    return this.snapshot[kind] !== undefined;
  }

  inNamespace(kind: SnapshotKind, namespace: string): KubeObject[] {
    let index = this.byNamespace.get(kind);
    if (!index) {
      index = new Map();
      for (const object of this.list(kind)) {
        const ns = object.metadata?.namespace ?? '';
        const bucket = index.get(ns);
        if (bucket) bucket.push(object);
        else index.set(ns, [object]);
      }
      this.byNamespace.set(kind, index);
    }
    return index.get(namespace) ?? [];
  }

  /** Namespace names that exist and are not being deleted (objects cannot be created in those). */
  activeNamespaces(): string[] {
    return this.list('Namespace')
      .filter((ns) => asRecord(ns.status)?.phase !== 'Terminating' && !ns.metadata.deletionTimestamp)
      .map((ns) => ns.metadata.name);
  }
}
