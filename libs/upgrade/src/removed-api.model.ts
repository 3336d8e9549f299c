/** One series of kube-apiserver's `apiserver_requested_deprecated_apis` gauge: a deprecated API that was requested. */
export interface DeprecatedApiInUse {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Plural resource name, e.g. "ingresses". */
  resource: string;
  subresource?: string;
  /** The metric's removed_release label as the API server reported it, e.g. "1.32" (absent when empty). */
  removedRelease?: string;
}

/** An API version of a kind that a Kubernetes release stops serving. */
export interface RemovedApi {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Plural resource name as the API server serves it (and as the metric labels it). */
  resource: string;
  kind: string;
  /** The first minor that no longer serves it, e.g. "1.32". */
  removedIn: string;
  deprecatedIn?: string;
  /** The group/version to move to, e.g. "networking.k8s.io/v1". */
  replacement?: string;
  /**
   * Where the removal release comes from: upstream's lifecycle table wins, Pluto only fills gaps, and
   * "apiserver" (the metric's removed_release label, kind unknown: "") only for APIs neither oracle lists.
   */
  source: 'kubernetes' | 'pluto' | 'apiserver';
}

/** "networking.k8s.io/v1beta1", or "v1" for the core group. */
export function apiVersionOf(api: { group: string; version: string }): string {
  return api.group === '' ? api.version : `${api.group}/${api.version}`;
}
