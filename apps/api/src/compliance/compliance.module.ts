import { Module } from '@nestjs/common';
import { scanStarterProvider } from '@flotilla/compliance';
import './compliance.enums';
import { ClusterComplianceResolver, FleetComplianceResolver } from './compliance-rollup.resolver';
import { PolicyPreviewClusterResolver, PolicyPreviewResolver } from './policy-preview.resolver';
import { PolicyPreviewService } from './policy-preview.service';
import { ClusterComplianceHistoryResolver, FleetComplianceTrendResolver, PolicyExceptionResolver } from './governance.resolver';
import { PolicyExceptionService } from './policy-exception.service';
import { PolicyResolver, PolicyScopeResolver } from './policy.resolver';
import { PolicyService } from './policy.service';
import { ScanResolver } from './scan.resolver';
import { ScanService } from './scan.service';

/** Policies, compliance scans, schedules and the compliance roll-ups on clusters and the fleet. */
@Module({
  providers: [
    scanStarterProvider,
    PolicyService,
    PolicyPreviewService,
    PolicyPreviewResolver,
    PolicyPreviewClusterResolver,
    ScanService,
    PolicyResolver,
    PolicyScopeResolver,
    ScanResolver,
    ClusterComplianceResolver,
    FleetComplianceResolver,
    PolicyExceptionService,
    PolicyExceptionResolver,
    ClusterComplianceHistoryResolver,
    FleetComplianceTrendResolver,
  ],
})
export class ComplianceModule {}
