import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { ClusterRepository, UpgradeRepository } from '@flotilla/persistence';
import { ClusterClientFactory, describeFailure } from '@flotilla/cluster-access';
import { JobName, JobPayloads } from '@flotilla/queue';
import { redactText } from '@flotilla/observability';
import { JobContext, JobHandlerRegistry } from '../jobs/job-handler.registry';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { RolloutFollower } from './rollout-follower';
import { UpgradeOutcomeRecorder } from './upgrade-outcome.recorder';
import { UpgradePreflightReader } from './upgrade-preflight.reader';
import { UpgradeFailure } from './upgrade.errors';

/**
 * The run-upgrade job: pre-flight with live data (UpgradePreflightReader), patch the Cluster on the
 * management cluster once, then follow the rollout (RolloutFollower) until it ends or hands over to
 * a follow-up job. The deadline is stored on the upgrade when it is patched, so follow-ups keep the
 * same one; AbandonedUpgradeSweeper ends what nobody follows any more.
 *
 * At-least-once safety: the patch is issued only when the Cluster's version differs from the target
 * (a re-run finds it patched and does not patch again), and every status change is guarded by the
 * status it comes from.
 */
@Injectable()
export class UpgradeRunnerService implements OnModuleInit {
  private readonly logger = new Logger(UpgradeRunnerService.name);

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly upgrades: UpgradeRepository,
    private readonly clusters: ClusterRepository,
    private readonly clients: ClusterClientFactory,
    private readonly preflight: UpgradePreflightReader,
    private readonly follower: RolloutFollower,
    private readonly outcomes: UpgradeOutcomeRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.RunUpgrade, (p, ctx) => this.run(p, ctx));
  }

  async run({ organizationId, upgradeId }: JobPayloads[JobName.RunUpgrade], ctx: JobContext): Promise<void> {
    const existing = await this.upgrades.findById(organizationId, upgradeId);
    if (!existing || !['QUEUED', 'RUNNING'].includes(existing.status)) return; // finished or cancelled: nothing to do
    let u = await this.upgrades.markRunning(organizationId, upgradeId);
    if (!u) return;
    try {
      const cluster = await this.clusters.findForWorker(organizationId, u.clusterId);
      if (!cluster || cluster.status === 'DETACHED') throw new UpgradeFailure('the cluster was detached from Flotilla');
      const management = u.managementClusterId ? await this.clusters.findForWorker(organizationId, u.managementClusterId) : null;
      if (!management || management.status === 'DETACHED') {
        throw new UpgradeFailure('its management cluster is no longer attached to Flotilla, so the Cluster object cannot be patched or followed');
      }
      const managementClient = await this.clients.forCluster(management);
      const workloadClient = await this.clients.forCluster(cluster);

      if (!u.patchedAt) {
        const verdict = await this.preflight.check(u, workloadClient, managementClient);
        if (!verdict.ok) {
          await this.outcomes.refusePreflight(organizationId, upgradeId, verdict.reasons);
          return;
        }
        // Claimed before the PATCH: a cancel from now on says the Cluster was patched (it is, a moment later).
        u = await this.upgrades.recordPatched(organizationId, upgradeId, verdict.patchVersion, this.config.upgrade.deadlineSeconds);
        if (!u) return; // cancelled meanwhile: nothing was patched
      }
      await this.follower.ensurePatched(u, managementClient);
      await this.follower.follow(u, workloadClient, managementClient, ctx);
    } catch (err) {
      // An unexpected error (a database blip, a credential that cannot be read yet) is retried by the
      // queue with back-off: the retry re-reads and carries on, and nothing was patched twice. Only the
      // last attempt ends the upgrade, so it never waits for the sweeper.
      if (!(err instanceof UpgradeFailure) && !ctx.lastAttempt) throw err;
      const reason = err instanceof UpgradeFailure ? err.message : `unexpected error: ${describeFailure(err)}`;
      const current = await this.upgrades.findById(organizationId, upgradeId);
      if (current && !current.patchedAt) await this.outcomes.refusePreflight(organizationId, upgradeId, [capitalise(reason) + '.']);
      else await this.outcomes.finish(organizationId, upgradeId, { status: 'FAILED', phase: current?.phase ?? 'PREFLIGHT', error: `The upgrade failed: ${reason}.` });
      if (!(err instanceof UpgradeFailure)) this.logger.warn({ upgradeId, error: redactText((err as Error).message ?? String(err)) }, 'upgrade failed unexpectedly');
    }
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
