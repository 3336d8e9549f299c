import { Provider } from '@nestjs/common';
import { scanStarterProvider } from '@flotilla/compliance';
import {
  ClusterSnapshotRepository,
  ComplianceHistoryRepository,
  PolicyEnforcementTargetRepository,
  PolicyExceptionRepository,
  PolicyRepository,
  ScanRepository,
  ScanScheduleRepository,
} from '@flotilla/persistence';
import { ComplianceClock } from './compliance-clock';
import { ComplianceScanService } from './compliance-scan.service';
import { ExceptionExpiryCheck } from './exception-expiry.check';
import { PolicyCleanupReconciler } from './policy-cleanup.reconciler';
import { PolicyCleanupService } from './policy-cleanup.service';
import { ScanFinisher } from './scan-finisher';
import { ScanRetention } from './scan-retention';
import { ScanScheduler } from './scan-scheduler';

/** The worker's compliance feature: the scan-cluster job, policy cleanup, the scan schedules' clock and retention. */
export const COMPLIANCE_REPOSITORIES = [
  ScanRepository,
  ScanScheduleRepository,
  PolicyRepository,
  PolicyEnforcementTargetRepository,
  ClusterSnapshotRepository,
  ComplianceHistoryRepository,
  PolicyExceptionRepository,
  ClusterSnapshotRepository,
];
export const COMPLIANCE_PROVIDERS: Provider[] = [
  scanStarterProvider,
  ComplianceScanService,
  ScanFinisher,
  PolicyCleanupService,
  PolicyCleanupReconciler,
  ScanScheduler,
  ScanRetention,
  ComplianceClock,
  ExceptionExpiryCheck,
];
