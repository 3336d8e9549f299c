import type { KubeObject } from './kube-object';
import type { ClusterSnapshot, SnapshotKind } from './policy.types';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What policies read of a snapshot, and nothing else: managedFields, resourceVersion, the
 * last-applied annotation and status go (policies judge desired state, as admission does; only a
 * Namespace's phase is kept, which tells a terminating namespace). Scans evaluate this same
 * compact form, so a preview on the cached copy judges exactly what the scan judged.
 */
export function compactSnapshot(snapshot: ClusterSnapshot): ClusterSnapshot {
  const out: ClusterSnapshot = {};
  for (const [kind, objects] of Object.entries(snapshot) as Array<[SnapshotKind, KubeObject[]]>) out[kind] = objects.map((o) => compactObject(kind, o));
  return out;
}

export function compactObject(kind: SnapshotKind, object: KubeObject): KubeObject {
  const { status, ...rest } = object;
  const { managedFields: _managedFields, resourceVersion: _resourceVersion, ...metadata } = object.metadata;
  void _managedFields;
  void _resourceVersion;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _dropped, ...annotations } = metadata.annotations;
    void _dropped;
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    else delete metadata.annotations;
  }
  const compact: KubeObject = { ...rest, metadata };
  if (kind === 'Namespace') {
    const phase = (status as { phase?: unknown } | undefined)?.phase;
    if (phase !== undefined) compact.status = { phase };
  }
  return compact;
}
