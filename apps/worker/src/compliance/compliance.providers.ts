import { Provider } from '@nestjs/common';
import { scanStarterProvider } from '../../../../libs/compliance/src';
import { ScanRepository, ScanScheduleRepository } from '../../../../libs/persistence/src';
import { ComplianceScanService } from './compliance-scan.service';
import { ScanRetention } from './scan-retention';
import { ScanScheduler } from './scan-scheduler';

/** The worker's compliance feature: the scan-cluster job, the scan schedules' clock and retention. */
export const COMPLIANCE_REPOSITORIES = [ScanRepository, ScanScheduleRepository];
export const COMPLIANCE_PROVIDERS: Provider[] = [
  scanStarterProvider,
  ComplianceScanService,
  ScanScheduler,
  ScanRetention,
];
