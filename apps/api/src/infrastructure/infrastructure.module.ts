import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { DATA_SOURCE, QUEUES, REDIS, closeConnections, connectionProviders } from '@flotilla/infrastructure';
import { RepositoryClass } from '@flotilla/persistence';
import { QueueSet, RedisConnection } from '@flotilla/queue';

/**
 * The API's connections (PostgreSQL, Redis, the queues it writes through the outbox relay's
 * consumers) and the registry's repositories, under the tokens the worker uses too.
 */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: RedisConnection,
    @Inject(QUEUES) private readonly queues: QueueSet,
  ) {}

  static forRoot(config: AppConfig, extraRepositories: RepositoryClass[] = []) {
    const { providers, exports } = connectionProviders(config, { poolSize: 20, applicationName: 'flotilla-api' }, extraRepositories);
    return { module: InfrastructureModule, providers, exports };
  }

  async onApplicationShutdown(): Promise<void> {
    await closeConnections(this.db, this.redis, this.queues);
  }
}
