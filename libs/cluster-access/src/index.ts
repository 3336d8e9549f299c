export { ClusterClient } from './cluster-client';
export { ListedObjects } from './listed-objects';
export type { KubeObject, ListOptions, KubeVersionInfo, HealthProbe, IssuedToken } from './cluster-client';
export { DirectHttpsTransport } from './kube-transport';
export type { KubeTransport, KubeMethod, ClusterEndpoint } from './kube-transport';
export {
  RESOURCE_CATALOGUE,
  NON_RESOURCE_PATHS,
  UnknownKindError,
  ReadOnlyKindError,
  isKnownKind,
  isCataloguePath,
  apiVersionOf,
  kindOfPlural,
} from './resource-catalogue';
export type { KindName, WritableKind, RemovableKind, ResourceType } from './resource-catalogue';
export { describeFailure, isCredentialRejected, isUnavailable } from './cluster-failure';
export { ClusterClientFactory } from './cluster-client.factory';
export { KubeApiError } from './kube-api.error';
export { CredentialCipher, loadCredentialCipher } from './credential-cipher';
export type { ClusterCredential } from './credential-cipher';
export { detectProvider, detectRegion } from './provider-detection';
export { assessNodes, statusFromNodes, nodeReady, kubeletVersionOf, isControlPlaneNode } from './node-health';
export { MANAGED_CLUSTER_URL_ANNOTATION, managedClusterUrl } from './managed-cluster-url';
export {
  CLUSTER_ADMIN_ROLE,
  DEFAULT_BINDABLE_ROLES,
  checkBindableRoles,
  escalationGrants,
} from './agent-identity';
export { transportFailureClass } from './cluster-failure';
export { installAgentIdentity } from './agent-identity.installer';
export type { InstalledAgentIdentity } from './agent-identity.installer';
export { establishAgentIdentity } from './agent-identity';
export type { AgentIdentityWriter, EstablishAgentIdentityOptions } from './agent-identity';
export { CredentialBindingError } from './credential-cipher';
export { AgentTunnelRouter, AgentTunnelTransport, AGENT_NOT_CONNECTED, isAgentAbsence } from './agent-tunnel.transport';
export * from './agent-protocol';
export {
  DEFAULT_TOKEN_TTL_SECONDS,
  MIN_TOKEN_TTL_SECONDS,
  MAX_TOKEN_TTL_SECONDS,
  RENEW_AT_REMAINING_FRACTION,
  CredentialExpiredError,
  credentialExpiredReason,
  parseTokenTtl,
  renewalDecision,
  renewalLifetimeSeconds,
  renewalRetryAt,
} from './token-renewal';
export type { CredentialLife, RenewalDecision } from './token-renewal';
export { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, AGENT_TOKEN_ROLE } from './agent-identity';
