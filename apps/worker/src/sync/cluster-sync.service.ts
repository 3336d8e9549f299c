import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { DataSource } from 'typeorm';
import { ClusterAgentRepository, ClusterEntity, ClusterRepository } from '@flotilla/persistence';
import { FleetEvents, WebhookEventType } from '@flotilla/notifications';
import { AGENT_DISCONNECT_GRACE_SECONDS, ClusterClientFactory, assessNodes, isAgentAbsence, describeFailure, detectProvider, detectRegion, isCredentialRejected, statusFromNodes } from '@flotilla/cluster-access';
import { JobName, JobPayloads } from '@flotilla/queue';
import { redactText } from '@flotilla/observability';
import { syncBackoff } from '@flotilla/schedule';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { APP_CONFIG, DATA_SOURCE } from '@flotilla/infrastructure';
import { CredentialRenewalService } from './credential-renewal.service';
import { ManagementLinkService } from './management-link.service';

/**
 * The cluster-sync job: /version and nodes → provider, region, version, readiness and status;
 * before them, the renewal of a short-lived credential that is due (CredentialRenewalService).
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
    private readonly agents: ClusterAgentRepository,
    private readonly renewal: CredentialRenewalService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly events: FleetEvents,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.SyncCluster, (p) => this.sync(p));
  }

  async sync({ organizationId, clusterId }: JobPayloads[JobName.SyncCluster]): Promise<void> {
    // The cluster and its credential in one round trip: every cluster is synced every interval.
    const found = await this.clusters.findForSync(organizationId, clusterId);
    const cluster = found?.cluster;
    if (!found || !cluster || cluster.status === 'DETACHED') {
      this.clients.forget(clusterId);
      return;
    }
    try {
      // A short-lived credential is renewed here when due (throws once it has expired).
      const credential = await this.renewal.current(cluster, found.credential);
      const client = await this.clients.forCluster(cluster, credential);
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
      if (cluster.connectionMode === 'AGENT' && isAgentAbsence(err)) {
        await this.recordAgentAbsent(cluster);
        return;
      }
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

  /**
   * The agent did not answer: gone for longer than the grace period → UNREACHABLE ("agent
   * disconnected at T"); within it, the status stands and the next sync comes when it ends. An
   * agent that never connected keeps its cluster PENDING (saying so) until its registration expires.
   */
  private async recordAgentAbsent(cluster: ClusterEntity): Promise<void> {
    const agent = await this.agents.find(cluster.organizationId, cluster.id);
    const now = Date.now();
    const interval = this.config.sync.intervalSeconds * 1000;
    if (!agent?.connectedAt) {
      const expired = !agent || agent.revokedAt !== null || agent.registrationExpiresAt.getTime() <= now;
      const reason = agent?.revokedAt
        ? `agent revoked at ${agent.revokedAt.toISOString()}`
        : expired
          ? `the agent never connected and its registration expired at ${agent?.registrationExpiresAt.toISOString() ?? 'registration'}: register the cluster again`
          : `waiting for the cluster's agent to connect (registration expires at ${agent.registrationExpiresAt.toISOString()})`;
      await this.clusters.recordAgentAbsent(cluster.organizationId, cluster.id, { unreachable: expired, reason, nextSyncAt: new Date(now + interval) });
      return;
    }
    // Gone since it disconnected — or, when its replica died without saying so, since its last heartbeat.
    const since = agent.revokedAt ?? agent.disconnectedAt ?? agent.lastHeartbeatAt ?? agent.connectedAt;
    const gone = now - since.getTime();
    const graceMs = AGENT_DISCONNECT_GRACE_SECONDS * 1000;
    const reason = agent.revokedAt ? `agent revoked at ${agent.revokedAt.toISOString()}` : `agent disconnected at ${since.toISOString()}`;
    const unreachable = gone > graceMs || agent.revokedAt !== null;
    const nextSyncAt = new Date(unreachable ? now + interval : since.getTime() + graceMs + 1000);
    await this.clusters.recordAgentAbsent(cluster.organizationId, cluster.id, { unreachable, reason, nextSyncAt });
  }
}
