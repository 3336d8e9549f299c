import { Provider } from '@nestjs/common';
import { CampaignRepository, InspectionRepository, ManagementCatalogRepository, ProvisioningRepository, RepositoryClass, UpgradeRepository } from '@flotilla/persistence';
import { upgradeStarterProvider } from '@flotilla/queue';
import { campaignEventsProvider } from '@flotilla/notifications';
import { CampaignAdvancer } from './campaigns/campaign-advancer';
import { COMPLIANCE_PROVIDERS, COMPLIANCE_REPOSITORIES } from './compliance/compliance.providers';
import { InspectionRunnerService } from './inspections/inspection-runner.service';
import { ProvisioningRunnerService } from './provisioning/provisioning-runner.service';
import { AbandonedUpgradeSweeper } from './upgrades/abandoned-upgrade.sweeper';
import { RolloutFollower } from './upgrades/rollout-follower';
import { UpgradeOutcomeRecorder } from './upgrades/upgrade-outcome.recorder';
import { UpgradePreflightReader } from './upgrades/upgrade-preflight.reader';
import { UpgradeRunnerService } from './upgrades/upgrade-runner.service';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';
import { WebhookEventRetention } from './webhooks/webhook-event-retention';

/** Feature services (compliance, upgrades, inspections) that register job handlers. */
const UPGRADE_PROVIDERS: Provider[] = [UpgradeOutcomeRecorder, UpgradePreflightReader, RolloutFollower, UpgradeRunnerService, AbandonedUpgradeSweeper];
/** Campaigns: the PostgreSQL-clocked loop that advances them, starting upgrades like startUpgrade does. */
const CAMPAIGN_PROVIDERS: Provider[] = [upgradeStarterProvider, campaignEventsProvider, CampaignAdvancer];
export const WORKER_FEATURE_PROVIDERS: Provider[] = [
  ...COMPLIANCE_PROVIDERS,
  ...UPGRADE_PROVIDERS,
  InspectionRunnerService,
  ProvisioningRunnerService,
  ...CAMPAIGN_PROVIDERS,
  WebhookDeliveryService,
  WebhookEventRetention,
];
/** Repositories those features need, built over the worker's DataSource. */
export const WORKER_FEATURE_REPOSITORIES: RepositoryClass[] = [...COMPLIANCE_REPOSITORIES, UpgradeRepository, InspectionRepository, ManagementCatalogRepository, ProvisioningRepository, CampaignRepository];
