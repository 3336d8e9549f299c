import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { ClusterSnapshotRepository, ComplianceHistoryRepository, ScanRepository } from '@flotilla/persistence';
import { PollingLoop } from '@flotilla/queue';
import { APP_CONFIG } from '@flotilla/infrastructure';

const EVERY_MS = 3600_000;

/**
 * Prunes scan history older than FLOTILLA_SCAN_RETENTION_DAYS (default 90) and compliance history
 * (transitions, trend days) older than FLOTILLA_COMPLIANCE_HISTORY_RETENTION_DAYS (default 730)
 * at start and hourly.
 * The current compliance of every cluster (and the results and scan it points at) is kept
 * however old it is. Cached cluster snapshots no scan replaced within the retention go too. Several replicas pruning at once only delete the same rows once.
 */
@Injectable()
export class ScanRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScanRetention.name);
  private readonly loop = new PollingLoop(async () => (await this.prune(), false), {
    intervalMs: EVERY_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 'scan retention failed; retrying next hour'),
  });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scans: ScanRepository,
    private readonly snapshots: ClusterSnapshotRepository,
    private readonly history: ComplianceHistoryRepository,
  ) {}

  async prune(): Promise<{ results: number; scans: number; snapshots: number; history: { policyChanges: number; clusterChanges: number; days: number } }> {
    const pruned = { ...(await this.scans.pruneOlderThan(this.config.retention.scanResultDays)), snapshots: await this.snapshots.pruneOlderThan(this.config.retention.scanResultDays) };
    if (pruned.results || pruned.scans || pruned.snapshots) this.logger.log({ ...pruned, days: this.config.retention.scanResultDays }, 'pruned old scan results');
    const history = await this.history.pruneOlderThan(this.config.retention.complianceHistoryDays);
    if (history.policyChanges || history.clusterChanges || history.days) {
      this.logger.log({ ...history, retentionDays: this.config.retention.complianceHistoryDays }, 'pruned old compliance history');
    }
    return { ...pruned, history };
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
