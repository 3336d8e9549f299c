import { Module } from '@nestjs/common';
import { AgentGateway } from './agent-gateway';
import { AgentResolver } from './agent.resolver';
import { AgentService } from './agent.service';

/** Clusters reached through outbound agents: registration, revocation, cluster.connection and the agent endpoint. */
@Module({
  providers: [AgentGateway, AgentService, AgentResolver],
  exports: [AgentGateway],
})
export class AgentsModule {}
