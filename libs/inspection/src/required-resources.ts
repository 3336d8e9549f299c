import type { InspectionKind } from './inspection.types';

/**
 * What the worker must fetch for an inspection, beyond /version (always read). Vocabulary:
 * "<resource>" (all namespaces or cluster-scoped), "<resource>:<namespace>", "health" (/healthz, /livez,
 * /readyz?verbose) and "deprecated-api-metrics" (apiserver_requested_deprecated_apis from /metrics).
 */
export function requiredResources(kind: InspectionKind): string[] {
  switch (kind) {
    case 'CONFORMANCE_LITE':
      return ['health', 'nodes', 'pods:kube-system', 'deployments:kube-system', 'daemonsets:kube-system'];
    case 'RBAC_RISK':
      return ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'];
    case 'DEPRECATED_APIS':
      return ['deprecated-api-metrics'];
    case 'POD_SECURITY':
      // The worker evaluates pods per namespace with libs/policy and passes only the levels on.
      return ['namespaces', 'pods'];
  }
}
