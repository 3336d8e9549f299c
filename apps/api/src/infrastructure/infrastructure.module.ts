import { Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import { AppConfig } from '../../../../libs/config/src';
import { REGISTRY_REPOSITORIES, createDataSource, repositoryProviders } from '../../../../libs/persistence/src';
import { loadCredentialCipher } from '../../../../libs/cluster-access/src';
import { QueueSet, createRedis } from '../../../../libs/queue/src';
import { APP_CONFIG, CREDENTIAL_CIPHER, DATA_SOURCE, QUEUES, REDIS } from './tokens';

const repositories = REGISTRY_REPOSITORIES;

/**
 * The API's connections (PostgreSQL, Redis) and the repositories over them. Repositories are
 * plain classes constructed from the DataSource, so the worker and the CLI build them the same way.
 */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QUEUES) private readonly queues: QueueSet,
  ) {}

  static forRoot(config: AppConfig, extraRepositories: Array<new (db: DataSource) => unknown> = []) {
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: config },
      {
        provide: DATA_SOURCE,
        useFactory: async () => createDataSource(config.database.url, { poolSize: 20, applicationName: 'flotilla-api' }).initialize(),
      },
      { provide: REDIS, useFactory: () => createRedis(config.redis.url) },
      { provide: QUEUES, inject: [REDIS], useFactory: (redis: Redis) => new QueueSet(redis, config.queue.prefix) },
      { provide: CREDENTIAL_CIPHER, useFactory: () => loadCredentialCipher(config.crypto) },
      ...repositoryProviders(DATA_SOURCE, [...repositories, ...extraRepositories]),
    ];
    return {
      module: InfrastructureModule,
      providers,
      exports: [APP_CONFIG, DATA_SOURCE, REDIS, QUEUES, CREDENTIAL_CIPHER, ...repositories, ...extraRepositories],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
    this.redis.disconnect();
    if (this.db.isInitialized) await this.db.destroy();
  }
}
