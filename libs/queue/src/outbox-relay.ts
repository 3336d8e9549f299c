import { OutboxRepository } from '@flotilla/persistence';
import { QueueSet } from './queue-connection';
import { QueueName } from './queue-catalogue';
import { PollingLoop } from './polling-loop';

/**
 * Moves committed outbox rows to BullMQ. Runs in every worker replica (SKIP LOCKED keeps them
 * apart); a crash between add and mark only resends, and BullMQ keeps one job per id.
 */
export class OutboxRelay {
  private readonly loop: PollingLoop;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queues: QueueSet,
    private readonly opts: { batchSize?: number; idleMs?: number; onError?: (err: Error) => void } = {},
  ) {
    this.loop = new PollingLoop(async () => (await this.drain(), false), { intervalMs: opts.idleMs ?? 200, onError: (err) => opts.onError?.(err) });
  }

  /** Relays until the outbox is empty; returns how many messages went out. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.outbox.relayBatch(this.opts.batchSize ?? 1000, async (messages) => {
        const byQueue = new Map<string, typeof messages>();
        for (const m of messages) byQueue.set(m.queue, [...(byQueue.get(m.queue) ?? []), m]);
        for (const [queue, batch] of byQueue) {
          await this.queues.get(queue as QueueName).addBulk(batch.map((m) => ({ name: m.jobName, data: m.payload, opts: { jobId: m.jobId } })));
        }
      });
      total += n;
      if (n === 0) return total;
    }
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
