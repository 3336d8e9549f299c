import { Module } from '@nestjs/common';
import { ClusterGroupResolver } from './cluster-group.resolver';
import { ClusterResolver } from './cluster.resolver';
import { ClusterService } from './cluster.service';

/** The registry: clusters and their groups (attach, update, detach, list, fleet pages). */
@Module({
  providers: [ClusterService, ClusterResolver, ClusterGroupResolver],
})
export class ClustersModule {}
