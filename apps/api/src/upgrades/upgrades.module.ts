import { Module } from '@nestjs/common';
import { upgradeStarterProvider } from '@flotilla/queue';
import { ClusterUpgradeFieldsResolver, UpgradeResolver } from './upgrade.resolver';
import { UpgradeService } from './upgrade.service';

/** Upgrades through Cluster API: their mutations, queries and Cluster fields. */
@Module({
  providers: [upgradeStarterProvider, UpgradeService, UpgradeResolver, ClusterUpgradeFieldsResolver],
})
export class UpgradesModule {}
