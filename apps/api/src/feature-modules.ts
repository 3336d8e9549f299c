import { DynamicModule, Type } from '@nestjs/common';
import {
  ComplianceHistoryRepository,
  ComplianceRepository,
  InspectionRepository,
  ManagementCatalogRepository,
  PolicyEnforcementTargetRepository,
  PolicyExceptionRepository,
  PolicyRepository,
  RepositoryClass,
  ScanRepository,
  ScanScheduleRepository,
  UpgradeRepository,
} from '@flotilla/persistence';
import { AuditModule } from './audit/audit.module';
import { ClustersModule } from './clusters/clusters.module';
import { ComplianceModule } from './compliance/compliance.module';
import { FleetModule } from './fleet/fleet.module';
import { InspectionsModule } from './inspections/inspections.module';
import { TokensModule } from './tokens/tokens.module';
import { UpgradesModule } from './upgrades/upgrades.module';

/** The API's feature modules, one per folder; a new feature registers here to join the API. */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [
  ClustersModule,
  TokensModule,
  AuditModule,
  FleetModule,
  ComplianceModule,
  UpgradesModule,
  InspectionsModule,
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
  ComplianceHistoryRepository,
  PolicyExceptionRepository,
];
