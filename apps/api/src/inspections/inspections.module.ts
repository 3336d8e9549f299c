import { Module } from '@nestjs/common';
import { ClusterInspectionFieldsResolver, InspectionResolver } from './inspection.resolver';
import { InspectionService } from './inspection.service';

/** Cluster inspections: their mutation, queries and Cluster fields. */
@Module({
  providers: [InspectionService, InspectionResolver, ClusterInspectionFieldsResolver],
})
export class InspectionsModule {}
