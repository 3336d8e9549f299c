export {
  CAPI_API_VERSION,
  CONTROL_PLANE_REPLICAS,
  DEFAULT_CLUSTER_CLASS,
  DEFAULT_NAMESPACE,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  manifestsYaml,
  renderClusterManifests,
  resolveProvisionSpec,
} from './cluster-manifests';
export type { FieldProblem, ManagementOffers, ManifestObject, NodePoolSpec, ProvisionSpec, ResolvedProvisionSpec } from './cluster-manifests';
export { assessProvisioning } from './cluster-progress';
export type { CapiClusterStatus, CapiCondition, ProvisionProgress } from './cluster-progress';
export { KubeconfigError, parseAdminKubeconfig } from './admin-kubeconfig';
export type { AdminCredential } from './admin-kubeconfig';
