import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ScanStarter } from '../../../../libs/compliance/src';
import {
  ComplianceRepository,
  JobRecordRepository,
  OutboxRepository,
  PolicyEnforcementTargetRepository,
  PolicyRepository,
  ScanRepository,
  ScanScheduleRepository,
} from '../../../../libs/persistence/src';
import { DATA_SOURCE } from '../infrastructure/tokens';
import './compliance.enums';
import { ClusterComplianceResolver, FleetComplianceResolver } from './compliance-rollup.resolver';
import { PolicyResolver, PolicyScopeResolver } from './policy.resolver';
import { PolicyService } from './policy.service';
import { ScanResolver } from './scan.resolver';
import { ScanService } from './scan.service';

const repositories = [PolicyRepository, ScanRepository, ComplianceRepository, ScanScheduleRepository, PolicyEnforcementTargetRepository];

/** Policies, compliance scans, schedules and the compliance roll-ups on clusters and the fleet. */
@Module({
  providers: [
    ...repositories.map((R) => ({ provide: R, inject: [DATA_SOURCE], useFactory: (db: DataSource) => new R(db) })),
    {
      provide: ScanStarter,
      inject: [ScanRepository, OutboxRepository, JobRecordRepository],
      useFactory: (scans: ScanRepository, outbox: OutboxRepository, jobs: JobRecordRepository) => new ScanStarter(scans, outbox, jobs),
    },
    PolicyService,
    ScanService,
    PolicyResolver,
    PolicyScopeResolver,
    ScanResolver,
    ClusterComplianceResolver,
    FleetComplianceResolver,
  ],
})
export class ComplianceModule {}
