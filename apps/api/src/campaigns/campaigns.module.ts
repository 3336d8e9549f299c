import { Module } from '@nestjs/common';
import { campaignEventsProvider } from '@flotilla/notifications';
import { CampaignResolver } from './campaign.resolver';
import { CampaignService } from './campaign.service';

/** Fleet upgrade campaigns: preview, create and the operator actions; the worker's CampaignAdvancer runs them. */
@Module({
  providers: [campaignEventsProvider, CampaignService, CampaignResolver],
})
export class CampaignsModule {}
