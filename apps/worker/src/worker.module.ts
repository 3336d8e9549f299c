import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AppConfig } from '@flotilla/config';
import { CLOCK, Clock, SYSTEM_CLOCK } from '@flotilla/infrastructure';
import { QueueName, RedisConnection, bullPrefix, createRedis } from '@flotilla/queue';
import { WorkerInfrastructureModule } from './infrastructure/worker-infrastructure.module';
import { JobHandlerRegistry } from './jobs/job-handler.registry';
import { OutboxRelayRunner } from './jobs/outbox-relay.runner';
import { StrandedWorkReconciler } from './jobs/stranded-work.reconciler';
import { QUEUE_PROCESSORS } from './jobs/queue.processors';
import { ClusterSyncService } from './sync/cluster-sync.service';
import { CredentialRenewalService } from './sync/credential-renewal.service';
import { ManagementLinkService } from './sync/management-link.service';
import { SyncScheduler } from './sync/sync-scheduler';
import { WORKER_FEATURE_PROVIDERS, WORKER_FEATURE_REPOSITORIES } from './worker-features';

export interface WorkerOptions {
  /** The clock credential renewal decides with (the system clock; tests move their own). */
  clock?: Clock;
}

const BULL_CLUSTER_CLIENT = Symbol('BULL_CLUSTER_CLIENT');

/** BullMQ does not close a client it was given: the Redis Cluster client of the processors closes here. */
@Injectable()
class BullClusterClientCloser implements OnApplicationShutdown {
  constructor(@Inject(BULL_CLUSTER_CLIENT) private readonly client: RedisConnection | null) {}

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}

/** The worker process: BullMQ processors, the outbox relay and the schedulers; no GraphQL. */
@Module({})
export class WorkerModule implements OnApplicationBootstrap {
  constructor(private readonly registry: JobHandlerRegistry) {}

  static forRoot(config: AppConfig, options: WorkerOptions = {}): DynamicModule {
    // A Redis Cluster needs a client (BullMQ cannot build one from options); one Redis, options.
    const clusterClient = config.redis.clusterNodes ? createRedis(config.redis, { forWorker: true }) : null;
    return {
      module: WorkerModule,
      imports: [
        WorkerInfrastructureModule.forRoot(config, WORKER_FEATURE_REPOSITORIES),
        BullModule.forRoot({
          // Options where it can: BullMQ then opens and closes its own connections.
          connection: clusterClient ?? { url: config.redis.url, maxRetriesPerRequest: null },
          prefix: bullPrefix(config.queue.prefix),
        }),
        ...Object.values(QueueName).map((name) => BullModule.registerQueue({ name })),
      ],
      providers: [
        JobHandlerRegistry,
        ...QUEUE_PROCESSORS,
        OutboxRelayRunner,
        StrandedWorkReconciler,
        SyncScheduler,
        { provide: CLOCK, useValue: options.clock ?? SYSTEM_CLOCK },
        { provide: BULL_CLUSTER_CLIENT, useValue: clusterClient },
        BullClusterClientCloser,
        ClusterSyncService,
        CredentialRenewalService,
        ManagementLinkService,
        ...WORKER_FEATURE_PROVIDERS,
      ],
    };
  }

  onApplicationBootstrap(): void {
    // Every job name, or the worker refuses to start.
    this.registry.assertComplete();
  }
}
