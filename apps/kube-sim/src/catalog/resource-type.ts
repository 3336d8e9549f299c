/** One served resource: what discovery advertises and what the router and store key on. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower-case: "pods". */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresources served: "status", "scale", "log", "token", "finalize". */
  subresources?: string[];
  /** Served only on management clusters (Cluster API, Tanzu releases). */
  managementOnly?: boolean;
  /** Served only by clusters of at least this Kubernetes minor (ValidatingAdmissionPolicy v1: 30). */
  minMinor?: number;
  /** Objects are stored once per group and resource, whatever version they are read in. */
  storeKey: string;
  /** Create-only virtual resources (reviews): nothing is stored. */
  virtual?: boolean;
}

export function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
