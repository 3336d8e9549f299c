import { Module } from '@nestjs/common';
import { ManagementCatalogRepository, UpgradeRepository, repositoryProviders } from '@flotilla/persistence';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ClusterUpgradeFieldsResolver, UpgradeResolver } from './upgrade.resolver';
import { UpgradeService } from './upgrade.service';

/** Upgrades through Cluster API: their mutations, queries and Cluster fields. */
@Module({
  providers: [...repositoryProviders(DATA_SOURCE, [UpgradeRepository, ManagementCatalogRepository]), UpgradeService, UpgradeResolver, ClusterUpgradeFieldsResolver],
})
export class UpgradesModule {}
