// The shapes of the operations' results, as the schema (apps/api/schema.graphql) answers them.
export type Role = 'ADMIN' | 'OPERATOR' | 'VIEWER';
export type ClusterStatus = 'PENDING' | 'CONNECTED' | 'DEGRADED' | 'UNREACHABLE' | 'DETACHED';
export type Provider = 'VSPHERE' | 'EKS' | 'GKE' | 'AKS' | 'OPENSHIFT' | 'GENERIC';
export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR' | 'UNKNOWN';
export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type PolicyType = 'ACCESS' | 'NETWORK' | 'QUOTA' | 'IMAGE_REGISTRY' | 'SECURITY' | 'LABELS' | 'CUSTOM';
export type PolicyMode = 'AUDIT' | 'ENFORCE';
export type PolicyScopeKind = 'ORGANIZATION' | 'GROUP' | 'CLUSTER';
export type InspectionKind = 'CONFORMANCE_LITE' | 'RBAC_RISK' | 'DEPRECATED_APIS' | 'POD_SECURITY';
export type ClusterOrderField = 'NAME' | 'LAST_SEEN_AT' | 'KUBERNETES_VERSION' | 'ATTACHED_AT';

export const CLUSTER_STATUSES: ClusterStatus[] = ['PENDING', 'CONNECTED', 'DEGRADED', 'UNREACHABLE', 'DETACHED'];
export const PROVIDERS: Provider[] = ['VSPHERE', 'EKS', 'GKE', 'AKS', 'OPENSHIFT', 'GENERIC'];
export const COMPLIANCE_STATUSES: ComplianceStatus[] = ['COMPLIANT', 'NON_COMPLIANT', 'ERROR', 'UNKNOWN'];
export const POLICY_TYPES: PolicyType[] = ['ACCESS', 'NETWORK', 'QUOTA', 'IMAGE_REGISTRY', 'SECURITY', 'LABELS', 'CUSTOM'];
export const INSPECTION_KINDS: InspectionKind[] = ['CONFORMANCE_LITE', 'RBAC_RISK', 'DEPRECATED_APIS', 'POD_SECURITY'];

export interface Label {
  key: string;
  value: string;
}
export interface GroupRef {
  id: string;
  name: string;
}
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
export interface Connection<T> {
  totalCount?: number;
  pageInfo?: PageInfo;
  edges: Array<{ cursor?: string; node: T }>;
}

export interface ViewerResult {
  viewer: { role: Role; organization: { id: string; name: string } };
}

export interface FleetOverviewResult extends ViewerResult {
  fleetSummary: {
    clusterCount: number;
    nodeCount: number;
    byStatus: Array<{ status: ClusterStatus; count: number }>;
    byProvider: Array<{ provider: Provider; count: number }>;
    byVersion: Array<{ version: string; count: number }>;
  };
}

export interface FleetComplianceResult {
  fleetSummary: {
    compliance: { compliantClusters: number; nonCompliantClusters: number; unknownClusters: number; violationCount: number; lastScanAt: string | null };
  };
}

export interface ComplianceTrendPoint {
  at: string;
  compliantClusters: number;
  nonCompliantClusters: number;
  erroredClusters: number;
  violationCount: number;
}
export interface ComplianceTrendResult {
  fleetSummary: { complianceTrend: ComplianceTrendPoint[] };
}

export interface ComplianceChange {
  at: string;
  policyName: string;
  status: ComplianceStatus;
  violationCount: number;
  scanId: string | null;
}
export interface ClusterComplianceHistoryResult {
  cluster: { id: string; complianceHistory: ComplianceChange[] } | null;
}

export interface ExemptedViolation extends Violation {
  exceptionId: string;
}
export interface ClusterExemptionsResult {
  cluster: { id: string; policyResults: Array<{ policy: { id: string; name: string; type: PolicyType }; status: ComplianceStatus; exempted: ExemptedViolation[] }> } | null;
}

export interface ClusterRow {
  id: string;
  name: string;
  provider: Provider;
  region: string | null;
  kubernetesVersion: string | null;
  status: ClusterStatus;
  nodeCount: number;
  lastSeenAt: string | null;
  labels: Label[];
  group: GroupRef | null;
}
export interface ClusterListResult {
  clusters: Connection<ClusterRow> & { totalCount: number; pageInfo: PageInfo };
}

export interface ClusterDetailResult {
  cluster: (ClusterRow & { statusReason: string | null; apiServerUrl: string; readyNodeCount: number; attachedAt: string }) | null;
}

export interface ClusterGroupsResult {
  clusterGroups: Array<GroupRef & { description: string | null; clusterCount: number }>;
}

export interface Violation {
  kind: string;
  namespace: string | null;
  name: string;
  message: string;
}
export interface ClusterComplianceResult {
  cluster: {
    id: string;
    compliance: { status: ComplianceStatus; violationCount: number; checkedAt: string | null };
    policyResults: Array<{ policy: { id: string; name: string; type: PolicyType; mode: PolicyMode }; status: ComplianceStatus; checkedAt: string; violations: Violation[] }>;
  } | null;
}

export interface UpgradeRow {
  id: string;
  fromVersion: string;
  toVersion: string;
  status: JobStatus;
  phase: string | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface ClusterUpgradesResult {
  cluster: { id: string; kubernetesVersion: string | null; availableUpgrades: string[]; upgrades: Connection<UpgradeRow> } | null;
}

export interface InspectionRow {
  id: string;
  kind: InspectionKind;
  status: JobStatus;
  passed: number;
  failed: number;
  warnings: number;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface ClusterInspectionsResult {
  cluster: { id: string; inspections: Connection<InspectionRow> } | null;
}
export interface InspectionDetailResult {
  inspection:
    | (InspectionRow & {
        cluster: GroupRef;
        checks: Array<{ id: string; title: string; severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'; outcome: 'PASS' | 'FAIL' | 'WARN' | 'SKIP'; message: string | null }>;
      })
    | null;
}

export interface Policy {
  id: string;
  name: string;
  type: PolicyType;
  mode: PolicyMode;
  spec: unknown;
  scope: { kind: PolicyScopeKind; group: GroupRef | null; cluster: GroupRef | null };
  createdAt: string;
}
export interface PoliciesResult {
  policies: Policy[];
}

export interface ScanRow {
  id: string;
  status: JobStatus;
  trigger: 'MANUAL' | 'SCHEDULED';
  clusterCount: number;
  completedCount: number;
  failedCount: number;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface ScansResult {
  scans: Connection<ScanRow> & { totalCount: number; pageInfo: PageInfo };
}
export interface ScanDetailResult {
  scan: (ScanRow & { summary: { compliant: number; nonCompliant: number; errored: number; violations: number } | null }) | null;
}

export interface AuditLogResult {
  auditEvents: { pageInfo: PageInfo; edges: Array<{ node: { id: string; at: string; actor: string; action: string; targetType: string | null; targetId: string | null } }> };
}

export const isRunning = (status: JobStatus | undefined): boolean => status === 'QUEUED' || status === 'RUNNING';
