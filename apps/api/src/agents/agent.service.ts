import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { AuditRepository, ClusterAgentRepository, ClusterAgentState, ClusterEntity, ClusterGroupRepository, ClusterRepository, OutboxRepository } from '@flotilla/persistence';
import { DEFAULT_BINDABLE_ROLES, TunnelControl, tunnelChannels } from '@flotilla/cluster-access';
import { isUuid } from '@flotilla/validation';
import { JobName, jobIds, outboxMessage, publishOnBus, RedisConnection } from '@flotilla/queue';
import { APP_CONFIG, DATA_SOURCE, REDIS } from '@flotilla/infrastructure';
import { ViewerContext } from '../auth/viewer';
import { DomainError, ErrorCode, conflict, idInMessage, notFound } from '../common/domain.errors';
import { validateLabels } from '../common/labels';
import { validateClusterName } from '../clusters/cluster-input.validation';
import { AgentGateway } from './agent-gateway';
import { REGISTRATION_PREFIX, issueAgentSecret } from './agent-secrets';
import { RegisterAgentClusterInput } from './agent.models';

/** Where an agent cluster "is" before its agent reports the API server URL it uses: never dialled. */
export const AGENT_PLACEHOLDER_URL = 'https://agent-pending.invalid';

@Injectable()
export class AgentService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisConnection,
    private readonly clusters: ClusterRepository,
    private readonly groups: ClusterGroupRepository,
    private readonly agents: ClusterAgentRepository,
    private readonly outbox: OutboxRepository,
    private readonly audit: AuditRepository,
    private readonly gateway: AgentGateway,
  ) {}

  /**
   * A cluster reached through its agent: no credential is stored, only the hash of a one-time
   * registration token (shown once, here) that the agent exchanges for its own credential.
   */
  async register(viewer: ViewerContext, input: RegisterAgentClusterInput): Promise<{ cluster: ClusterEntity; registrationToken: string; registrationExpiresAt: Date; agentEndpoint: string }> {
    const name = validateClusterName(input.name);
    const labels = validateLabels(input.labels, 'input.labels');
    const agentEndpoint = this.gateway.endpoint();
    const { secret, hash } = issueAgentSecret(REGISTRATION_PREFIX);
    const registrationExpiresAt = new Date(Date.now() + this.config.agents.registrationTtlSeconds * 1000);
    const cluster = await this.db.transaction(async (tx) => {
      let groupId: string | null = null;
      if (input.groupId !== null && input.groupId !== undefined) {
        const group = isUuid(input.groupId) ? await this.groups.findById(viewer.organizationId, input.groupId, tx) : null;
        if (!group) throw new DomainError(ErrorCode.BadUserInput, `input.groupId: no cluster group with id ${idInMessage(input.groupId)}`, 'input.groupId');
        groupId = group.id;
      }
      const created = await this.clusters.attach(tx, viewer.organizationId, {
        name,
        apiServerUrl: AGENT_PLACEHOLDER_URL,
        groupId,
        labels,
        bindableRoles: [...DEFAULT_BINDABLE_ROLES].sort(),
        connectionMode: 'AGENT',
      });
      if (!created) throw conflict('input.name', `a cluster named "${name}" is already attached`);
      await this.agents.createRegistration(tx, viewer.organizationId, created.id, hash, registrationExpiresAt);
      await this.outbox.add(tx, [outboxMessage(JobName.SyncCluster, jobIds.syncCluster(created.id, `register-${Date.now()}`), { organizationId: viewer.organizationId, clusterId: created.id })]);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'cluster.registerAgent',
        targetType: 'Cluster',
        targetId: created.id,
        details: { name, groupId, labels, connectionMode: 'AGENT', registrationExpiresAt: registrationExpiresAt.toISOString() },
      });
      return created;
    });
    return { cluster, registrationToken: secret, registrationExpiresAt, agentEndpoint };
  }

  /** The agent's credential never connects again, and its tunnel (on whichever replica) closes now. */
  async revoke(viewer: ViewerContext, clusterId: string): Promise<ClusterEntity> {
    const cluster = await this.db.transaction(async (tx) => {
      const current = await this.clusters.findById(viewer.organizationId, clusterId, tx);
      if (!current || current.status === 'DETACHED') throw notFound('cluster', clusterId);
      if (current.connectionMode !== 'AGENT') throw new DomainError(ErrorCode.FailedPrecondition, `cluster ${current.name} is not connected through an agent`, 'clusterId');
      const revoked = await this.agents.revoke(tx, viewer.organizationId, clusterId);
      if (!revoked) throw new DomainError(ErrorCode.FailedPrecondition, `the agent of cluster ${current.name} is already revoked`, 'clusterId');
      await this.audit.record(tx, viewer.organizationId, { actor: viewer.actor, action: 'cluster.revokeAgent', targetType: 'Cluster', targetId: clusterId, details: { name: current.name } });
      return current;
    });
    const control: TunnelControl = { k: 'revoke' };
    await publishOnBus(this.redis, tunnelChannels.control(this.config.queue.prefix, clusterId), JSON.stringify(control));
    return (await this.clusters.findById(viewer.organizationId, clusterId)) ?? cluster;
  }

  async states(organizationId: string, clusterIds: readonly string[]): Promise<ClusterAgentState[]> {
    return this.agents.findMany(organizationId, clusterIds);
  }
}
