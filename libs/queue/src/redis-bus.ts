import { RedisConnection, isRedisCluster } from './queue-connection';

/**
 * Pub/sub whose publish says how many subscribers received the message — the agent tunnels'
 * presence check ("no replica holds this cluster's tunnel"). On one Redis server that is PUBLISH
 * and SUBSCRIBE. On a Redis Cluster a PUBLISH is broadcast to every node but its reply counts the
 * subscribers of the one node that took it, so there the bus uses sharded pub/sub (SPUBLISH,
 * SSUBSCRIBE; Redis 7): a channel lives on its slot's shard, and so do its subscribers and count.
 */
export class RedisBus {
  private readonly sharded: boolean;
  private subscriber: RedisConnection | null = null;

  /** `onMessage` receives every message of the channels this bus subscribes to. */
  constructor(
    private readonly connection: RedisConnection,
    private readonly onMessage: (channel: string, message: Buffer) => void,
  ) {
    this.sharded = isRedisCluster(connection);
  }

  /** How many subscribers received it (0: nobody listens on the channel). */
  publish(channel: string, message: string): Promise<number> {
    return publishOnBus(this.connection, channel, message);
  }

  async subscribe(...channels: string[]): Promise<void> {
    const sub = this.ensureSubscriber();
    if (!this.sharded) return void (await sub.subscribe(...channels));
    // One call per channel: a sharded subscribe of several channels must name a single slot.
    for (const c of channels) await sub.ssubscribe(c);
  }

  async unsubscribe(...channels: string[]): Promise<void> {
    if (!this.subscriber) return;
    if (!this.sharded) return void (await this.subscriber.unsubscribe(...channels));
    for (const c of channels) await this.subscriber.sunsubscribe(c);
  }

  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private ensureSubscriber(): RedisConnection {
    if (!this.subscriber) {
      // A connection of its own: one in subscriber mode can run no other command.
      this.subscriber = this.connection.duplicate();
      this.subscriber.on(this.sharded ? 'smessageBuffer' : 'messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel.toString(), message));
    }
    return this.subscriber;
  }
}

/** Publishes to a RedisBus channel without subscribing to anything; resolves to the receivers counted. */
export async function publishOnBus(connection: RedisConnection, channel: string, message: string): Promise<number> {
  return Number(isRedisCluster(connection) ? await connection.spublish(channel, message) : await connection.publish(channel, message));
}
