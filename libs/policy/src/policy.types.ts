import type { KubeObject } from './kube-object';
import type { NamespaceReach } from './namespace-governance';

export type PolicyType = 'ACCESS' | 'NETWORK' | 'QUOTA' | 'IMAGE_REGISTRY' | 'SECURITY' | 'LABELS' | 'CUSTOM';
export type PolicyMode = 'AUDIT' | 'ENFORCE';

export const POLICY_TYPES: readonly PolicyType[] = ['ACCESS', 'NETWORK', 'QUOTA', 'IMAGE_REGISTRY', 'SECURITY', 'LABELS', 'CUSTOM'];

export interface PolicyDefinition {
  id: string;
  name: string;
  type: PolicyType;
  mode: PolicyMode;
  /** Validated with validatePolicySpec before it is stored. */
  spec: unknown;
  /** Where it reaches on the cluster being evaluated; default the whole cluster. */
  reach?: NamespaceReach;
}

/** One thing wrong with one object, in words an operator understands. */
export interface Violation {
  kind: string;
  namespace?: string;
  name: string;
  message: string;
}

export interface PolicyEvaluation {
  policyId: string;
  status: 'COMPLIANT' | 'NON_COMPLIANT';
  violations: Violation[];
}

export type SnapshotKind =
  | 'Namespace'
  | 'Pod'
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'Job'
  | 'CronJob'
  | 'Service'
  | 'ConfigMap'
  | 'NetworkPolicy'
  | 'ResourceQuota'
  | 'ClusterRoleBinding'
  | 'RoleBinding'
  | 'ClusterRole'
  | 'Role'
  | 'ServiceAccount';

/** Every snapshot kind, in a stable order (the order snapshotKindsFor returns). */
export const SNAPSHOT_KINDS: readonly SnapshotKind[] = [
  'Namespace',
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Service',
  'ConfigMap',
  'NetworkPolicy',
  'ResourceQuota',
  'ClusterRoleBinding',
  'RoleBinding',
  'ClusterRole',
  'Role',
  'ServiceAccount',
];

/** Kinds that live outside namespaces. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<SnapshotKind> = new Set(['Namespace', 'ClusterRoleBinding', 'ClusterRole']);

/** Plain Kubernetes objects as listed from the API, per kind. Missing kinds = not fetched. */
export type ClusterSnapshot = Partial<Record<SnapshotKind, KubeObject[]>>;

/** ENFORCE: objects to create-or-update (server-side apply) so the cluster complies, and what objects cannot fix. */
export interface EnforcementPlan {
  apply: KubeObject[];
  namespaceLabels: Array<{ namespace: string; labels: Record<string, string> }>;
  unenforceable: Violation[];
  /** Why the policy is (partly) not enforced on this cluster, e.g. audit only on a cluster too old for it. */
  notes?: string[];
}

/** A cluster's Kubernetes minor version, as enforcement planners need it. */
export interface KubeVersion {
  major: number;
  minor: number;
}

/** What planners may know about the cluster besides its snapshot. */
export interface ClusterFacts {
  kubernetesVersion?: KubeVersion | null;
}
