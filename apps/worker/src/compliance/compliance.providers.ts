import { Provider } from '@nestjs/common';
import { ScanStarter } from '../../../../libs/compliance/src';
import {
  JobRecordRepository,
  OutboxRepository,
  PolicyEnforcementTargetRepository,
  PolicyRepository,
  ScanRepository,
  ScanScheduleRepository,
} from '../../../../libs/persistence/src';
import { ComplianceScanService } from './compliance-scan.service';
import { PolicyCleanupReconciler } from './policy-cleanup.reconciler';
import { PolicyCleanupService } from './policy-cleanup.service';
import { ScanRetention } from './scan-retention';
import { ScanScheduler } from './scan-scheduler';

/** The worker's compliance feature: the scan-cluster job, policy cleanup, the scan schedules' clock and retention. */
export const COMPLIANCE_REPOSITORIES = [ScanRepository, ScanScheduleRepository, PolicyRepository, PolicyEnforcementTargetRepository];
export const COMPLIANCE_PROVIDERS: Provider[] = [
  {
    provide: ScanStarter,
    inject: [ScanRepository, OutboxRepository, JobRecordRepository],
    useFactory: (scans: ScanRepository, outbox: OutboxRepository, jobs: JobRecordRepository) => new ScanStarter(scans, outbox, jobs),
  },
  ComplianceScanService,
  PolicyCleanupService,
  PolicyCleanupReconciler,
  ScanScheduler,
  ScanRetention,
];
