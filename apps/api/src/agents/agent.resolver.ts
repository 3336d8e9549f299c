import { Args, Context, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { ClusterAgentState, ClusterCredentialRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { requestLoader } from '../common/request-loaders';
import { ClusterConnectivityModel, ConnectionModeEnum } from '../clusters/cluster-connectivity.model';
import { ClusterModel } from '../clusters/cluster.model';
import { AgentRegistrationModel, RegisterAgentClusterInput } from './agent.models';
import { AgentService } from './agent.service';

@Resolver(() => ClusterModel)
export class AgentResolver {
  constructor(
    private readonly agents: AgentService,
    private readonly credentials: ClusterCredentialRepository,
  ) {}

  @Mutation(() => AgentRegistrationModel, { description: 'A cluster reached through its outbound agent: returns the one-time registration token (shown once) and the agent endpoint.' })
  @RequireRole('OPERATOR')
  async registerAgentCluster(@CurrentViewer() viewer: ViewerContext, @Args('input') input: RegisterAgentClusterInput): Promise<AgentRegistrationModel> {
    const r = await this.agents.register(viewer, input);
    return { cluster: ClusterModel.from(r.cluster), registrationToken: r.registrationToken, registrationExpiresAt: r.registrationExpiresAt, agentEndpoint: r.agentEndpoint };
  }

  @Mutation(() => ClusterModel, { description: "Ends the cluster's agent at once: its tunnel closes and its credential never connects again." })
  @RequireRole('OPERATOR')
  async revokeAgent(@CurrentViewer() viewer: ViewerContext, @Args('clusterId', { type: () => ID }) clusterId: string): Promise<ClusterModel> {
    return ClusterModel.from(await this.agents.revoke(viewer, clusterId));
  }

  /**
   * How Flotilla reaches the cluster: DIRECT with the stored credential's expiry, or AGENT with its
   * agent's state. Both are batched per request (one query per page).
   */
  @ResolveField(() => ClusterConnectivityModel)
  async connection(@Parent() cluster: ClusterModel, @Context() ctx: object): Promise<ClusterConnectivityModel> {
    if (cluster.connectionMode !== 'AGENT') {
      const expiries = requestLoader<string, { expiresAt: Date | null }>(ctx, `credentialExpiry:${cluster.organizationId}`, async (ids) => {
        const byId = await this.credentials.expiriesFor(cluster.organizationId, ids);
        return ids.map((id) => ({ expiresAt: byId.get(id) ?? null }));
      });
      return ClusterConnectivityModel.direct((await expiries.load(cluster.id))?.expiresAt ?? null);
    }
    const loader = requestLoader<string, ClusterAgentState>(ctx, `agentState:${cluster.organizationId}`, async (ids) => {
      const rows = await this.agents.states(cluster.organizationId, ids);
      const byId = new Map(rows.map((r) => [r.clusterId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    const a = await loader.load(cluster.id);
    const live = a && !a.revokedAt && !a.disconnectedAt;
    return {
      mode: ConnectionModeEnum.AGENT,
      agentVersion: a?.agentVersion ?? null,
      connectedAt: live ? a.connectedAt : null,
      lastHeartbeatAt: a?.lastHeartbeatAt ?? null,
      credentialExpiresAt: null,
    };
  }
}
