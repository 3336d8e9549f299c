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

/**
 * Every worker's lock and stall settings. A job's lock is renewed while its worker lives (every
 * 2.5–5 s: BullMQ's renewal timer runs every lockRenewTime/2 and extends locks older than that),
 * so a long job — an upgrade followed for minutes, a scan of a slow cluster — keeps it however long
 * it runs; only a dead or frozen worker's lock expires. A SIGKILLed worker's jobs are then handed on
 * within lockDuration + stalledInterval (≤ 15 s, BullMQ's defaults are 30 s + 30 s), and a live
 * worker only loses a job if its event loop is blocked for 5 s (lockDuration − lockRenewTime).
 * Redis cost: one stall check per queue every stalledInterval across all workers (a `stalled-check`
 * key with that expiry elects one), and one lock-extension call per worker and queue every 2.5 s
 * while it has active jobs — 2–3 commands a second for five queues, nothing beside the jobs.
 * A job stalled twice (maxStalledCount) is failed, not re-run: a job that kills its worker
 * does not crash-loop the fleet; its work is re-queued by the stranded-work sweep.
 */
export const WORKER_LOCK_OPTIONS = { lockDuration: 10_000, lockRenewTime: 5_000, stalledInterval: 5_000, maxStalledCount: 2 } as const;

/** How long after a worker dies its jobs are handed to another at the latest (lock expiry + one stall check). */
export const STALLED_HANDOFF_MS = WORKER_LOCK_OPTIONS.lockDuration + WORKER_LOCK_OPTIONS.stalledInterval;

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
