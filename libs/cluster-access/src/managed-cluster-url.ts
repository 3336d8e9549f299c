import { KubeObject } from './cluster-client';

/**
 * Annotation on a Cluster API `Cluster` with the full URL of the workload cluster's API server.
 * `spec.controlPlaneEndpoint` holds only host and port, which cannot tell apart clusters served
 * behind one address with path prefixes (as kube-sim does); the annotation wins when present.
 */
export const MANAGED_CLUSTER_URL_ANNOTATION = 'flotilla.dev/api-server-url';

export function managedClusterUrl(capiCluster: KubeObject): string | null {
  const annotated = capiCluster.metadata.annotations?.[MANAGED_CLUSTER_URL_ANNOTATION];
  if (annotated) return annotated.replace(/\/+$/, '');
  const ep = (capiCluster.spec as { controlPlaneEndpoint?: { host?: string; port?: number } } | undefined)?.controlPlaneEndpoint;
  if (!ep?.host) return null;
  return `https://${ep.host}:${ep.port ?? 6443}`;
}
