import { Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import { AppConfig } from '../../../../libs/config/src';
import { ClusterCredentialRepository, REGISTRY_REPOSITORIES, createDataSource, repositoryProviders } from '../../../../libs/persistence/src';
import { ClusterClientFactory, loadCredentialCipher } from '../../../../libs/cluster-access/src';
import { QueueSet, createRedis } from '../../../../libs/queue/src';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const WORKER_DB = Symbol('WORKER_DB');
export const WORKER_REDIS = Symbol('WORKER_REDIS');
export const WORKER_QUEUES = Symbol('WORKER_QUEUES');

const repositories = REGISTRY_REPOSITORIES;

/** The worker's connections, repositories and the cluster client factory (the one seam to clusters). */
@Global()
@Module({})
export class WorkerInfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(WORKER_DB) private readonly db: DataSource,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(WORKER_QUEUES) private readonly queues: QueueSet,
    private readonly clients: ClusterClientFactory,
  ) {}

  static forRoot(config: AppConfig, extraRepositories: Array<new (db: DataSource) => unknown> = []) {
    const providers: Provider[] = [
      { provide: WORKER_CONFIG, useValue: config },
      {
        provide: WORKER_DB,
        useFactory: async () =>
          createDataSource(config.database.url, { poolSize: Math.min(50, config.queue.concurrency + 10), applicationName: 'flotilla-worker' }).initialize(),
      },
      { provide: WORKER_REDIS, useFactory: () => createRedis(config.redis.url) },
      { provide: WORKER_QUEUES, inject: [WORKER_REDIS], useFactory: (redis: Redis) => new QueueSet(redis, config.queue.prefix) },
      ...repositoryProviders(WORKER_DB, [...repositories, ...extraRepositories]),
      {
        provide: ClusterClientFactory,
        inject: [ClusterCredentialRepository],
        useFactory: (creds: ClusterCredentialRepository) =>
          new ClusterClientFactory(creds, loadCredentialCipher(config.crypto), {
            timeoutMs: config.sync.timeoutMs,
            insecureSkipTlsVerify: config.kube.insecureSkipTlsVerify,
          }),
      },
    ];
    return {
      module: WorkerInfrastructureModule,
      providers,
      exports: [WORKER_CONFIG, WORKER_DB, WORKER_REDIS, WORKER_QUEUES, ClusterClientFactory, ...repositories, ...extraRepositories],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.clients.closeAll();
    await this.queues.close();
    this.redis.disconnect();
    if (this.db.isInitialized) await this.db.destroy();
  }
}
