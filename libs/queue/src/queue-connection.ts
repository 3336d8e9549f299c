import { DefaultJobOptions, Queue } from 'bullmq';
import IORedis, { Redis } from 'ioredis';
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

export function createRedis(url: string, opts: { forWorker?: boolean } = {}): Redis {
  // Workers block on Redis: BullMQ requires maxRetriesPerRequest null for them.
  return new IORedis(url, { maxRetriesPerRequest: opts.forWorker ? null : 3, enableReadyCheck: true, lazyConnect: false });
}

export class QueueSet {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
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
