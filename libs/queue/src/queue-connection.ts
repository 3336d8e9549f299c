import { DefaultJobOptions, Queue } from 'bullmq';
import IORedis, { Cluster, Redis, RedisOptions } from 'ioredis';
import { QueueName } from './queue-catalogue';

/**
 * BullMQ prefix for this deployment. The braces hash-tag every key of a queue into one Redis
 * Cluster slot, which BullMQ's multi-key scripts need.
 */
export function bullPrefix(queuePrefix: string): string {
  return `{${queuePrefix}}`;
}

/**
 * How many times BullMQ runs a job before it stays failed: the one statement of it. Handlers learn
 * whether a run is the last from their job context (lastAttempt), never from this number.
 */
export const JOB_ATTEMPTS = 3;

/** Whether this run of a job is its last: BullMQ will not retry it if it throws. */
export function isLastAttempt(job: { attemptsMade: number; opts: { attempts?: number } }): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** A connection to Redis: one server (or a Sentinel/managed endpoint) or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/** Where Redis is: REDIS_URL, or REDIS_CLUSTER_NODES' seed nodes with REDIS_URL's credentials and TLS. */
export interface RedisSettings {
  url: string;
  clusterNodes: ReadonlyArray<{ host: string; port: number }> | null;
}

export function isRedisCluster(connection: RedisConnection): connection is Cluster {
  return (connection as Cluster).isCluster === true;
}

export function createRedis(settings: RedisSettings, opts: { forWorker?: boolean } = {}): RedisConnection {
  // Workers block on Redis: BullMQ requires maxRetriesPerRequest null for them.
  const common: RedisOptions = { maxRetriesPerRequest: opts.forWorker ? null : 3, enableReadyCheck: true };
  if (!settings.clusterNodes) return new IORedis(settings.url, { ...common, lazyConnect: false });
  // Sharded subscribers: pub/sub on a cluster must be sharded for a publish to count its receivers (RedisBus).
  return new Cluster([...settings.clusterNodes], { redisOptions: { ...common, ...credentialsOf(settings.url) }, shardedSubscribers: true });
}

/** The user, password and TLS of a redis:// or rediss:// URL, for every node of a cluster. */
function credentialsOf(url: string): RedisOptions {
  const u = new URL(url);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export class QueueSet {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: RedisConnection,
    private readonly prefix: string,
    /** Per-queue overrides of the default job options (the webhook queue's attempts and back-off). */
    private readonly jobOptions: Partial<Record<QueueName, DefaultJobOptions>> = {},
  ) {}

  get(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.connection,
        prefix: bullPrefix(this.prefix),
        defaultJobOptions: {
          attempts: JOB_ATTEMPTS,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: { age: 3600, count: 1000 },
          removeOnFail: { age: 24 * 3600, count: 5000 },
          ...this.jobOptions[name],
        },
      });
      this.queues.set(name, q);
    }
    return q;
  }

  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const name of Object.values(QueueName)) {
      out[name] = await this.get(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
