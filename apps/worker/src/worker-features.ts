import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InspectionRepository, ManagementCatalogRepository, UpgradeRepository } from '../../../libs/persistence/src';
import { COMPLIANCE_PROVIDERS, COMPLIANCE_REPOSITORIES } from './compliance/compliance.providers';
import { InspectionRunnerService } from './inspections/inspection-runner.service';
import { UpgradeRunnerService } from './upgrades/upgrade-runner.service';

/** Feature services (compliance, upgrades, inspections) that register job handlers. */
export const WORKER_FEATURE_PROVIDERS: Provider[] = [...COMPLIANCE_PROVIDERS, UpgradeRunnerService, InspectionRunnerService];
/** Repositories those features need, built over the worker's DataSource. */
export const WORKER_FEATURE_REPOSITORIES: Array<new (db: DataSource) => unknown> = [...COMPLIANCE_REPOSITORIES, UpgradeRepository, InspectionRepository, ManagementCatalogRepository];
