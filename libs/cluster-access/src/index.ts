export { ClusterClient } from './cluster-client';
export type { KubeObject, ClusterEndpoint } from './cluster-client';
export { ClusterClientFactory } from './cluster-client.factory';
export { KubeApiError } from './kube-api.error';
export { CredentialCipher, loadCredentialCipher } from './credential-cipher';
export type { ClusterCredential } from './credential-cipher';
export { detectProvider, detectRegion } from './provider-detection';
export { assessNodes, statusFromNodes } from './node-health';
export { MANAGED_CLUSTER_URL_ANNOTATION, managedClusterUrl } from './managed-cluster-url';
export {
  CLUSTER_ADMIN_ROLE,
  DEFAULT_BINDABLE_ROLES,
  checkBindableRoles,
  escalationGrants,
} from './agent-identity';
export { describeFailure, transportFailureClass } from './cluster-failure';
export { CredentialBindingError } from './credential-cipher';
