import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { DataSource } from 'typeorm';
import { ClusterRepository } from '@flotilla/persistence';
import { FleetEvents, WebhookEventType } from '@flotilla/notifications';
import { ClusterClientFactory, assessNodes, describeFailure, detectProvider, detectRegion, isCredentialRejected, statusFromNodes } from '@flotilla/cluster-access';
import { JobName, JobPayloads } from '@flotilla/queue';
import { redactText } from '@flotilla/observability';
import { syncBackoff } from '@flotilla/schedule';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { APP_CONFIG, DATA_SOURCE } from '@flotilla/infrastructure';
import { ManagementLinkService } from './management-link.service';

/**
 * The cluster-sync job: /version and nodes → provider, region, version, readiness and status.
 * A failure is the cluster's own news (recorded with its reason and a backed-off next sync),
 * not a job failure: retrying through BullMQ would only hammer an unreachable cluster.
 */
@Injectable()
export class ClusterSyncService implements OnModuleInit {
  private readonly logger = new Logger(ClusterSyncService.name);

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly clusters: ClusterRepository,
    private readonly clients: ClusterClientFactory,
    private readonly managementLinks: ManagementLinkService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly events: FleetEvents,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.SyncCluster, (p) => this.sync(p));
  }

  async sync({ organizationId, clusterId }: JobPayloads[JobName.SyncCluster]): Promise<void> {
    const cluster = await this.clusters.findForWorker(organizationId, clusterId);
    if (!cluster || cluster.status === 'DETACHED') {
      this.clients.forget(clusterId);
      return;
    }
    try {
      const client = await this.clients.forCluster(cluster);
      const version = await client.readVersion();
      const nodes = await client.listNodes();
      const health = assessNodes(nodes);
      const { status, reason } = statusFromNodes(health);
      const nodeFacts = nodes.map((n) => ({ providerID: (n.spec as { providerID?: string } | undefined)?.providerID, labels: n.metadata.labels }));
      await this.clusters.recordSyncSuccess(organizationId, clusterId, {
        status,
        statusReason: reason,
        provider: detectProvider(version.gitVersion, nodeFacts),
        region: detectRegion(nodeFacts),
        kubernetesVersion: version.gitVersion,
        nodeCount: health.nodeCount,
        readyNodeCount: health.readyNodeCount,
      });
      await this.managementLinks.refresh(cluster, client).catch((err: Error) =>
        this.logger.warn({ clusterId, error: redactText(err.message) }, 'could not read Cluster API objects'),
      );
    } catch (err) {
      const reason = describeFailure(err);
      await this.db.transaction(async (tx) => {
        const after = await this.clusters.recordSyncFailure(
          organizationId,
          clusterId,
          reason,
          {
            unreachableAfter: this.config.sync.unreachableAfterFailures,
            backoff: syncBackoff(this.config.sync.intervalSeconds),
            credentialRejected: isCredentialRejected(err),
          },
          tx,
        );
        if (after && after.status === 'UNREACHABLE' && after.previousStatus !== 'UNREACHABLE') {
          // The transition, once: the key names when it happened, so turning UNREACHABLE again later is a new event.
          await this.events.publish(tx, {
            organizationId,
            type: WebhookEventType.CLUSTER_UNREACHABLE,
            subject: `cluster/${clusterId}`,
            idempotencyKey: `${WebhookEventType.CLUSTER_UNREACHABLE}:cluster/${clusterId}:${after.updatedAt.toISOString()}`,
            payload: { cluster: { id: clusterId, name: after.name }, previousStatus: after.previousStatus, reason: after.statusReason, consecutiveFailures: after.consecutiveFailures },
          });
        }
      });
    }
  }
}
