import { governsClusterScoped } from '../namespace-governance';
import type { KubeObject } from '../kube-object';
import type { PolicyContext } from '../policy-handler';
import type { LabelsSpec } from '../policy-spec.schema';
import { CLUSTER_SCOPED_KINDS, type SnapshotKind, type Violation } from '../policy.types';
import { quoteList } from '../violations';

export function labelsKinds(spec: LabelsSpec): SnapshotKind[] {
  return spec.kinds as SnapshotKind[];
}

export function evaluateLabels({ spec, snapshot, governs, reach }: PolicyContext<LabelsSpec>): Violation[] {
  const inScope = governs;
  const violations: Violation[] = [];
  for (const kind of spec.kinds as SnapshotKind[]) {
    for (const object of snapshot.list(kind)) {
      if (!applies(kind, object, inScope, governsClusterScoped(reach))) continue;
      const labels = object.metadata.labels ?? {};
      // An empty value says nothing about, say, the owner; count it as missing.
      const missing = spec.required.filter((key) => !labels[key]);
      if (missing.length === 0) continue;
      violations.push({
        kind,
        ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
        name: object.metadata.name,
        message: `missing required ${missing.length === 1 ? 'label' : 'labels'} ${quoteList(missing)}`,
      });
    }
  }
  return violations;
}

function applies(kind: SnapshotKind, object: KubeObject, inScope: (namespace: string) => boolean, clusterScoped: boolean): boolean {
  if (kind === 'Namespace') return inScope(object.metadata.name);
  if (!CLUSTER_SCOPED_KINDS.has(kind)) return inScope(object.metadata.namespace ?? '');
  // A workspace policy governs its namespaces only, never the cluster's own objects.
  if (!clusterScoped) return false;
  // Cluster-wide RBAC objects that Kubernetes itself bootstraps are exempt like system namespaces.
  return !object.metadata.name.startsWith('system:') && object.metadata.labels?.['kubernetes.io/bootstrapping'] !== 'rbac-defaults';
}
