import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { ClusterAgentRepository, ClusterCredentialRepository, RepositoryClass } from '@flotilla/persistence';
import { AgentTunnelRouter, ClusterClientFactory, CredentialCipher } from '@flotilla/cluster-access';
import { CREDENTIAL_CIPHER, DATA_SOURCE, QUEUES, REDIS, closeConnections, connectionProviders } from '@flotilla/infrastructure';
import { QueueSet, RedisConnection } from '@flotilla/queue';

/** The worker's connections and repositories (the same tokens as the API's), and the cluster client factory: the one seam to clusters. */
@Global()
@Module({})
export class WorkerInfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: RedisConnection,
    @Inject(QUEUES) private readonly queues: QueueSet,
    private readonly clients: ClusterClientFactory,
    private readonly tunnels: AgentTunnelRouter,
  ) {}

  static forRoot(config: AppConfig, extraRepositories: RepositoryClass[] = []) {
    const connections = connectionProviders(
      config,
      { poolSize: Math.min(50, config.queue.concurrency + 10), applicationName: 'flotilla-worker' },
      extraRepositories,
    );
    // Agent clusters: requests go over Redis to whichever API replica holds the agent's tunnel.
    const tunnelRouter = {
      provide: AgentTunnelRouter,
      inject: [REDIS],
      useFactory: (redis: RedisConnection) => new AgentTunnelRouter(redis, config.queue.prefix),
    };
    const clientFactory = {
      provide: ClusterClientFactory,
      inject: [ClusterCredentialRepository, CREDENTIAL_CIPHER, AgentTunnelRouter, ClusterAgentRepository],
      useFactory: (creds: ClusterCredentialRepository, cipher: CredentialCipher, agentTunnel: AgentTunnelRouter, agentClusters: ClusterAgentRepository) =>
        new ClusterClientFactory(creds, cipher, { timeoutMs: config.sync.timeoutMs, insecureSkipTlsVerify: config.kube.insecureSkipTlsVerify, agentTunnel, agentClusters }),
    };
    return {
      module: WorkerInfrastructureModule,
      providers: [...connections.providers, tunnelRouter, clientFactory],
      exports: [...connections.exports, AgentTunnelRouter, ClusterClientFactory],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.clients.closeAll();
    await this.tunnels.close();
    await closeConnections(this.db, this.redis, this.queues);
  }
}
