import { Provider } from '@nestjs/common';
import { ScanStarter } from '../../../../libs/compliance/src';
import { JobRecordRepository, OutboxRepository, ScanRepository, ScanScheduleRepository } from '../../../../libs/persistence/src';
import { ComplianceScanService } from './compliance-scan.service';
import { ScanRetention } from './scan-retention';
import { ScanScheduler } from './scan-scheduler';

/** The worker's compliance feature: the scan-cluster job, the scan schedules' clock and retention. */
export const COMPLIANCE_REPOSITORIES = [ScanRepository, ScanScheduleRepository];
export const COMPLIANCE_PROVIDERS: Provider[] = [
  {
    provide: ScanStarter,
    inject: [ScanRepository, OutboxRepository, JobRecordRepository],
    useFactory: (scans: ScanRepository, outbox: OutboxRepository, jobs: JobRecordRepository) => new ScanStarter(scans, outbox, jobs),
  },
  ComplianceScanService,
  ScanScheduler,
  ScanRetention,
];
