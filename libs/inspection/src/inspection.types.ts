import type { DeprecatedApiInUse } from '@flotilla/upgrade';

export type InspectionKind = 'CONFORMANCE_LITE' | 'RBAC_RISK' | 'DEPRECATED_APIS' | 'POD_SECURITY';
export type CheckOutcome = 'PASS' | 'FAIL' | 'WARN' | 'SKIP';
export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type Provider = 'VSPHERE' | 'EKS' | 'GKE' | 'AKS' | 'OPENSHIFT' | 'GENERIC';

export interface InspectionCheck {
  /** Stable across runs, e.g. "conformance.nodes-ready" or "pod-security.team-a". */
  id: string;
  title: string;
  severity: Severity;
  outcome: CheckOutcome;
  /** Operator wording, naming the objects involved. */
  message: string;
}

/** Any Kubernetes object as served (only the fields the checks read are typed). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface InspectionSnapshot {
  provider: Provider;
  /** gitVersion from the cluster's /version. */
  version: string;
  health?: { healthz?: boolean; livez?: boolean; readyz?: boolean; readyzVerbose?: string };
  nodes?: KubeObject[];
  /** kube-system at least. */
  pods?: KubeObject[];
  deployments?: KubeObject[];
  daemonSets?: KubeObject[];
  clusterRoles?: KubeObject[];
  clusterRoleBindings?: KubeObject[];
  roles?: KubeObject[];
  roleBindings?: KubeObject[];
  namespaces?: KubeObject[];
  deprecatedApisInUse?: DeprecatedApiInUse[];
  /** DEPRECATED_APIS: the release to judge against; the next minor of `version` when absent. */
  targetVersion?: string;
  /** Precomputed by the worker with libs/policy's highestPodSecurityLevel. */
  podSecurity?: { namespaces: Array<{ namespace: string; highestLevel: 'privileged' | 'baseline' | 'restricted'; enforceLabel?: string }> };
}
