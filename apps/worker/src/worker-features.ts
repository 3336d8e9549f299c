import { Provider } from '@nestjs/common';
import { InspectionRepository, ManagementCatalogRepository, RepositoryClass, UpgradeRepository } from '@flotilla/persistence';
import { COMPLIANCE_PROVIDERS, COMPLIANCE_REPOSITORIES } from './compliance/compliance.providers';
import { InspectionRunnerService } from './inspections/inspection-runner.service';
import { AbandonedUpgradeSweeper } from './upgrades/abandoned-upgrade.sweeper';
import { RolloutFollower } from './upgrades/rollout-follower';
import { UpgradeOutcomeRecorder } from './upgrades/upgrade-outcome.recorder';
import { UpgradePreflightReader } from './upgrades/upgrade-preflight.reader';
import { UpgradeRunnerService } from './upgrades/upgrade-runner.service';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';
import { WebhookEventRetention } from './webhooks/webhook-event-retention';

/** Feature services (compliance, upgrades, inspections) that register job handlers. */
const UPGRADE_PROVIDERS: Provider[] = [UpgradeOutcomeRecorder, UpgradePreflightReader, RolloutFollower, UpgradeRunnerService, AbandonedUpgradeSweeper];
export const WORKER_FEATURE_PROVIDERS: Provider[] = [...COMPLIANCE_PROVIDERS, ...UPGRADE_PROVIDERS, InspectionRunnerService, WebhookDeliveryService, WebhookEventRetention];
/** Repositories those features need, built over the worker's DataSource. */
export const WORKER_FEATURE_REPOSITORIES: RepositoryClass[] = [...COMPLIANCE_REPOSITORIES, UpgradeRepository, InspectionRepository, ManagementCatalogRepository];
