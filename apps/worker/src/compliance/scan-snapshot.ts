import { KubeObject, ListedObjects } from '@flotilla/cluster-access';
import { SnapshotKindToSave, StoredSnapshotKind } from '@flotilla/persistence';
import { ClusterSnapshot, KubeObject as PolicyKubeObject, PolicyDefinition, SNAPSHOT_KINDS, SnapshotKind, compactObject, snapshotKindsFor } from '@flotilla/policy';

/**
 * What the scan lists: every kind a policy may read (the cache serves previews of policies not yet
 * made), except ConfigMaps, which Flotilla's agent may not read and lists only for a policy that names them.
 */
const CACHED_KINDS: readonly SnapshotKind[] = SNAPSHOT_KINDS.filter((k) => k !== 'ConfigMap');
export function kindsToList(policies: PolicyDefinition[]): SnapshotKind[] {
  const needed = new Set<SnapshotKind>([...CACHED_KINDS, ...snapshotKindsFor(policies)]);
  return SNAPSHOT_KINDS.filter((k) => needed.has(k));
}

/**
 * One cluster's lists as a scan took them: each kind parsed and compacted only when a policy
 * evaluates it or the snapshot cache needs its objects (its list changed). What ENFORCE wrote
 * afterwards replaces the listed object, and that kind then has no list digest any more.
 */
export class ScanSnapshot {
  private readonly compact: ClusterSnapshot = {};
  private readonly modified = new Set<SnapshotKind>();

  constructor(private readonly lists: ReadonlyMap<SnapshotKind, ListedObjects<KubeObject>>) {}

  /** The digest of the kind's list as listed; undefined when not listed or changed since. */
  digest(kind: SnapshotKind): string | undefined {
    return this.modified.has(kind) ? undefined : this.lists.get(kind)?.digest;
  }

  /** The compact objects of (at least) these kinds, for evaluation. */
  view(kinds: readonly SnapshotKind[]): ClusterSnapshot {
    for (const kind of kinds) this.objects(kind);
    return this.compact;
  }

  /** Puts an object as the API server returned it after a write in place of the listed one (a kind not listed is left alone). */
  upsert(kind: SnapshotKind, object: PolicyKubeObject): void {
    const list = this.objects(kind);
    if (!list) return;
    const compacted = compactObject(kind, object);
    const i = list.findIndex((o) => o.metadata.name === compacted.metadata.name && (o.metadata.namespace ?? '') === (compacted.metadata.namespace ?? ''));
    if (i >= 0) list[i] = compacted;
    else list.push(compacted);
    this.modified.add(kind);
  }

  /** Every listed kind for the snapshot cache: objects only where the stored copy is not the same list. */
  toSave(stored: Readonly<Record<string, StoredSnapshotKind>>): SnapshotKindToSave[] {
    return [...this.lists.keys()].map((kind) => {
      const digest = this.digest(kind) ?? null;
      const kept = stored[kind];
      if (digest !== null && kept?.digest === digest) return { kind, digest, objectCount: kept.objectCount };
      const objects = this.objects(kind)!;
      return { kind, digest, objectCount: objects.length, objects };
    });
  }

  private objects(kind: SnapshotKind): PolicyKubeObject[] | undefined {
    if (!(kind in this.compact)) {
      const list = this.lists.get(kind);
      if (!list) return undefined;
      this.compact[kind] = list.items().map((o) => compactObject(kind, o as PolicyKubeObject));
    }
    return this.compact[kind];
  }
}
