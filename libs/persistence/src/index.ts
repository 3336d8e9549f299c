export { createDataSource, ensureDatabase, migrate } from './data-source';
export { encodeCursor, decodeCursor } from './page-cursor';
export type { CursorShape, Page } from './page-cursor';
export { versionSortKey } from './version-key';
export { uuidV7 } from './uuid-v7';
export { OrganizationRepository } from './repositories/organization.repository';
export { ApiTokenRepository } from './repositories/api-token.repository';
export type { NewApiToken } from './repositories/api-token.repository';
export { AuditRepository } from './repositories/audit.repository';
export type { AuditRecord } from './repositories/audit.repository';
export { ClusterGroupRepository } from './repositories/cluster-group.repository';
export type { ClusterGroupWithCount } from './repositories/cluster-group.repository';
export { ClusterRepository, NEW_CREDENTIAL_REASON } from './repositories/cluster.repository';
export type { ClusterListFilter, ClusterListQuery, ClusterOrderField, NewCluster, SyncObservation } from './repositories/cluster.repository';
export { ClusterCredentialRepository } from './repositories/cluster-credential.repository';
export type { EncryptedBlob } from './repositories/cluster-credential.repository';
export { OutboxRepository } from './repositories/outbox.repository';
export type { OutboxMessage, ClaimedOutboxMessage } from './repositories/outbox.repository';
export { JobRecordRepository } from './repositories/job-record.repository';
export { OrganizationEntity } from './entities/organization.entity';
export { ApiTokenEntity } from './entities/api-token.entity';
export type { Role } from './entities/api-token.entity';
export { ClusterEntity } from './entities/cluster.entity';
export type { ClusterStatus, Provider } from './entities/cluster.entity';
export { ClusterGroupEntity } from './entities/cluster-group.entity';
export { AuditEventEntity } from './entities/audit-event.entity';
export { PolicyRepository } from './repositories/policy.repository';
export { PolicyEnforcementTargetRepository } from './repositories/policy-enforcement-target.repository';
export type { PolicyRow, NewPolicy, PolicyTypeName, PolicyModeName, PolicyScopeKindName } from './repositories/policy.repository';
export { ScanRepository } from './repositories/scan.repository';
export type { ScanRow, ScanStatus, ScanTriggerName, StartScan, ClusterOutcome, PolicyOutcome, ClusterOutcomeStatus } from './repositories/scan.repository';
export { ComplianceRepository } from './repositories/compliance.repository';
export type { ClusterComplianceRow, CurrentPolicyResultRow, FleetCompliance } from './repositories/compliance.repository';
export { ScanScheduleRepository } from './repositories/scan-schedule.repository';
export type { ScanScheduleRow } from './repositories/scan-schedule.repository';
export { CLUSTER_PAGE_CURSOR, UpgradeRepository } from './repositories/upgrade.repository';
export type { NewUpgrade } from './repositories/upgrade.repository';
export { UpgradeEntity } from './entities/upgrade.entity';
export type { UpgradeStatus, UpgradePhase } from './entities/upgrade.entity';
export { InspectionRepository } from './repositories/inspection.repository';
export { InspectionEntity } from './entities/inspection.entity';
export type { InspectionStatus, InspectionKindName, StoredInspectionCheck } from './entities/inspection.entity';
export { ManagementCatalogRepository } from './repositories/management-catalog.repository';
export type { ManagedClusterRef } from './repositories/management-catalog.repository';
export { REGISTRY_REPOSITORIES, repositoryProviders } from './registry-repositories';
export type { RepositoryClass } from './registry-repositories';
export { StrandedWorkRepository } from './repositories/stranded-work.repository';
export type { StrandedJob } from './repositories/stranded-work.repository';
export { ComplianceHistoryRepository } from './repositories/compliance-history.repository';
export type { ComplianceChangeRow, ComplianceTrendRow, TrendBucketName } from './repositories/compliance-history.repository';
export { PolicyExceptionRepository } from './repositories/policy-exception.repository';
export type {
  NewPolicyException,
  PolicyExceptionRow,
  PolicyExceptionState,
  PolicyExceptionStatusName,
  StoredExceptionRule,
} from './repositories/policy-exception.repository';
