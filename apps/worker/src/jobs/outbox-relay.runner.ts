import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OutboxRepository } from '@flotilla/persistence';
import { OutboxRelay, QueueSet } from '@flotilla/queue';
import { QUEUES } from '@flotilla/infrastructure';

/** Runs the outbox relay in this worker replica for as long as the process lives. */
@Injectable()
export class OutboxRelayRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayRunner.name);
  private readonly relay: OutboxRelay;

  constructor(outbox: OutboxRepository, @Inject(QUEUES) queues: QueueSet) {
    this.relay = new OutboxRelay(outbox, queues, {
      idleMs: 100,
      onError: (err) => this.logger.warn({ error: err.message }, 'outbox relay failed; retrying'),
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
