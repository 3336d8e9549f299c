export { ClusterClient } from './cluster-client';
export type { KubeObject, ClusterEndpoint } from './cluster-client';
export { ClusterClientFactory } from './cluster-client.factory';
export { KubeApiError } from './kube-api.error';
export { CredentialCipher, loadCredentialCipher } from './credential-cipher';
export type { ClusterCredential } from './credential-cipher';
export { detectProvider, detectRegion } from './provider-detection';
export { assessNodes, statusFromNodes } from './node-health';
export { MANAGED_CLUSTER_URL_ANNOTATION, managedClusterUrl } from './managed-cluster-url';
