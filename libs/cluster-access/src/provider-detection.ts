/**
 * Which provider runs a cluster, and where, from what any reader of the cluster can see: the
 * nodes' providerID scheme, the version suffix the provider adds, and well-known node labels.
 * Pure: the sync job fetches, this decides.
 */
export type DetectedProvider = 'VSPHERE' | 'EKS' | 'GKE' | 'AKS' | 'OPENSHIFT' | 'GENERIC';

export interface NodeFacts {
  providerID?: string;
  labels?: Record<string, string>;
}

const PROVIDER_ID_SCHEMES: Array<[string, DetectedProvider]> = [
  ['vsphere://', 'VSPHERE'],
  ['aws://', 'EKS'],
  ['gce://', 'GKE'],
  ['azure://', 'AKS'],
];

const VERSION_SUFFIXES: Array<[RegExp, DetectedProvider]> = [
  [/\+vmware\./, 'VSPHERE'],
  [/-eks-/, 'EKS'],
  [/-gke\./, 'GKE'],
];

const LABEL_HINTS: Array<[string, DetectedProvider]> = [
  ['eks.amazonaws.com/nodegroup', 'EKS'],
  ['cloud.google.com/gke-nodepool', 'GKE'],
  ['kubernetes.azure.com/agentpool', 'AKS'],
  ['kubernetes.azure.com/cluster', 'AKS'],
  ['node.openshift.io/os_id', 'OPENSHIFT'],
  ['run.tanzu.vmware.com/kubernetesDistributionVersion', 'VSPHERE'],
];

export function detectProvider(gitVersion: string, nodes: NodeFacts[]): DetectedProvider {
  // A version suffix is the provider's own stamp, so it wins over infrastructure hints:
  // EKS Anywhere on vSphere reports -eks- with vsphere:// node ids and is managed like EKS.
  for (const [re, p] of VERSION_SUFFIXES) if (re.test(gitVersion)) return p;
  for (const node of nodes) {
    for (const [key, p] of LABEL_HINTS) if (node.labels?.[key] !== undefined) return p;
  }
  for (const node of nodes) {
    const id = node.providerID ?? '';
    for (const [scheme, p] of PROVIDER_ID_SCHEMES) if (id.startsWith(scheme)) return p;
  }
  return 'GENERIC';
}

export function detectRegion(nodes: NodeFacts[]): string | null {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const r = n.labels?.['topology.kubernetes.io/region'] ?? n.labels?.['failure-domain.beta.kubernetes.io/region'];
    if (r) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [r, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (c > bestCount) [best, bestCount] = [r, c];
  }
  return best;
}
