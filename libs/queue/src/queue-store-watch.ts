import type { RedisConnection } from './queue-connection';
import { bullPrefix } from './queue-connection';

/**
 * Notices that the Redis behind the queues lost its data (a restart without persistence, a
 * failover to an empty replica, a flush): a marker key is written once per deployment prefix, and
 * a Redis that no longer has it no longer has the queued jobs either. Cheaper and more precise than
 * INFO's run_id, which also changes on a restart that kept everything.
 */
export class QueueStoreWatch {
  private readonly key: string;

  constructor(
    private readonly redis: RedisConnection,
    queuePrefix: string,
  ) {
    // Same hash tag as the queues: on Redis Cluster the marker lives on the queues' shard.
    this.key = `${bullPrefix(queuePrefix)}:store-marker`;
  }

  /**
   * True once per loss (and on a Redis never seen before): the marker was missing and this caller
   * wrote it. SET NX makes exactly one replica the one that answers true.
   */
  async claimLoss(): Promise<boolean> {
    return (await this.redis.set(this.key, new Date().toISOString(), 'NX')) === 'OK';
  }

  /** Gives the loss back (the caller could not act on it): the next look by any replica claims it again. */
  async releaseLoss(): Promise<void> {
    await this.redis.del(this.key);
  }
}
