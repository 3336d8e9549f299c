import type { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { loadCredentialCipher } from '@flotilla/cluster-access';
import { OutboxRepository, REGISTRY_REPOSITORIES, RepositoryClass, WebhookRepository, createDataSource, repositoryProviders } from '@flotilla/persistence';
import { QueueName, QueueSet, createRedis, RedisConnection } from '@flotilla/queue';
import { FleetEvents, WEBHOOK_BACKOFF_TYPE } from '@flotilla/notifications';
import { APP_CONFIG, CREDENTIAL_CIPHER, DATA_SOURCE, QUEUES, REDIS } from './infrastructure.tokens';

export interface ConnectionOptions {
  /** Shown in pg_stat_activity. */
  applicationName: string;
  poolSize: number;
}

/**
 * The providers behind the infrastructure tokens — config, PostgreSQL, Redis, the queues, the
 * credential cipher — and the registry's repositories over the DataSource. The API and the worker
 * build them here, so a token means the same thing in both.
 */
export function connectionProviders(config: AppConfig, options: ConnectionOptions, extraRepositories: RepositoryClass[] = []) {
  const repositories = [...REGISTRY_REPOSITORIES, ...extraRepositories];
  const providers = [
    { provide: APP_CONFIG, useValue: config },
    { provide: DATA_SOURCE, useFactory: async () => createDataSource(config.database.url, options).initialize() },
    { provide: REDIS, useFactory: () => createRedis(config.redis) },
    {
      provide: QUEUES,
      inject: [REDIS],
      useFactory: (redis: RedisConnection) =>
        new QueueSet(redis, config.queue.prefix, {
          // Webhook deliveries retry on their own schedule (libs/notifications delivery-policy.ts).
          [QueueName.Webhook]: { attempts: config.webhooks.maxAttempts, backoff: { type: WEBHOOK_BACKOFF_TYPE, delay: config.webhooks.retryBaseMs } },
        }),
    },
    { provide: CREDENTIAL_CIPHER, useFactory: () => loadCredentialCipher(config.crypto) },
    ...repositoryProviders(DATA_SOURCE, repositories),
    // The one seam every feature publishes fleet events through, inside its own transaction.
    { provide: FleetEvents, inject: [WebhookRepository, OutboxRepository], useFactory: (w: WebhookRepository, o: OutboxRepository) => new FleetEvents(w, o) },
  ];
  return { providers, exports: [APP_CONFIG, DATA_SOURCE, REDIS, QUEUES, CREDENTIAL_CIPHER, FleetEvents, ...repositories] };
}

/** Closes what connectionProviders opened, queues first (they use the Redis connection). */
export async function closeConnections(db: DataSource, redis: RedisConnection, queues: QueueSet): Promise<void> {
  await queues.close();
  redis.disconnect();
  if (db.isInitialized) await db.destroy();
}
