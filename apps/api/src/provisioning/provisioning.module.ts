import { Module } from '@nestjs/common';
import { ClusterProvisioningFieldResolver, ProvisioningResolver } from './provisioning.resolver';
import { ProvisioningService } from './provisioning.service';

/** Clusters provisioned through Cluster API on attached management clusters: offers, preview, provision, deprovision. */
@Module({
  providers: [ProvisioningService, ProvisioningResolver, ClusterProvisioningFieldResolver],
})
export class ProvisioningModule {}
