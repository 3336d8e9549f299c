import { Module } from '@nestjs/common';
import { InspectionRepository, repositoryProviders } from '@flotilla/persistence';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ClusterInspectionFieldsResolver, InspectionResolver } from './inspection.resolver';
import { InspectionService } from './inspection.service';

/** Cluster inspections: their mutation, queries and Cluster fields. */
@Module({
  providers: [...repositoryProviders(DATA_SOURCE, [InspectionRepository]), InspectionService, InspectionResolver, ClusterInspectionFieldsResolver],
})
export class InspectionsModule {}
