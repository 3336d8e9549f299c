import { DynamicModule, Type } from '@nestjs/common';
import {
  ClusterSnapshotRepository,
  CampaignRepository,
  ComplianceHistoryRepository,
  ComplianceRepository,
  InspectionRepository,
  ManagementCatalogRepository,
  PolicyEnforcementTargetRepository,
  PolicyExceptionRepository,
  PolicyRepository,
  ProvisioningRepository,
  RepositoryClass,
  ScanRepository,
  ScanScheduleRepository,
  UpgradeRepository,
  WorkspaceRepository,
} from '@flotilla/persistence';
import { AgentsModule } from './agents/agents.module';
import { AuditModule } from './audit/audit.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { ClustersModule } from './clusters/clusters.module';
import { ComplianceModule } from './compliance/compliance.module';
import { FleetModule } from './fleet/fleet.module';
import { InspectionsModule } from './inspections/inspections.module';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { TokensModule } from './tokens/tokens.module';
import { UpgradesModule } from './upgrades/upgrades.module';
import { WorkspacesModule } from './workspaces/workspaces.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The API's feature modules, one per folder; a new feature registers here to join the API. */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [
  ClustersModule,
  TokensModule,
  AuditModule,
  FleetModule,
  ComplianceModule,
  UpgradesModule,
  InspectionsModule,
  AgentsModule,
  ProvisioningModule,
  WorkspacesModule,
  CampaignsModule,
  WebhooksModule,
];

/** The features' repositories beyond the registry's: provided once, by InfrastructureModule, like the worker's. */
export const API_FEATURE_REPOSITORIES: RepositoryClass[] = [
  PolicyRepository,
  ScanRepository,
  ComplianceRepository,
  ScanScheduleRepository,
  PolicyEnforcementTargetRepository,
  UpgradeRepository,
  ManagementCatalogRepository,
  InspectionRepository,
  ProvisioningRepository,
  WorkspaceRepository,
  ClusterSnapshotRepository,
  CampaignRepository,
  ComplianceHistoryRepository,
  PolicyExceptionRepository,
];
