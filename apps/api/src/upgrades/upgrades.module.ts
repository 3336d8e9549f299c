import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InspectionRepository, ManagementCatalogRepository, UpgradeRepository } from '../../../../libs/persistence/src';
import { DATA_SOURCE } from '../infrastructure/tokens';
import { ClusterInspectionFieldsResolver, InspectionResolver } from '../inspections/inspection.resolver';
import { InspectionService } from '../inspections/inspection.service';
import { ClusterUpgradeFieldsResolver, UpgradeResolver } from './upgrade.resolver';
import { UpgradeService } from './upgrade.service';

const repositories = [UpgradeRepository, InspectionRepository, ManagementCatalogRepository];

/** Upgrades through Cluster API and cluster inspections: their mutations, queries and Cluster fields. */
@Module({
  providers: [
    ...repositories.map((R) => ({ provide: R, inject: [DATA_SOURCE], useFactory: (db: DataSource) => new R(db) })),
    UpgradeService,
    UpgradeResolver,
    ClusterUpgradeFieldsResolver,
    InspectionService,
    InspectionResolver,
    ClusterInspectionFieldsResolver,
  ],
})
export class UpgradesModule {}
