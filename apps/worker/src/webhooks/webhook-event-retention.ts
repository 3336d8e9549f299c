import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WEBHOOK_LIMITS } from '@flotilla/notifications';
import { WebhookRepository } from '@flotilla/persistence';
import { PollingLoop } from '@flotilla/queue';

const EVERY_MS = 3600_000;

/**
 * Prunes fleet events (and, by cascade, their deliveries) older than
 * WEBHOOK_LIMITS.eventRetentionDays at start and hourly; every delivery has ended long before
 * (the longest retry schedule is under a day). Replicas pruning at once delete each row once.
 */
@Injectable()
export class WebhookEventRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookEventRetention.name);
  private readonly loop = new PollingLoop(async () => (await this.prune(), false), {
    intervalMs: EVERY_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 'webhook event retention failed; retrying next hour'),
  });

  constructor(private readonly webhooks: WebhookRepository) {}

  async prune(): Promise<number> {
    const n = await this.webhooks.pruneEventsOlderThan(WEBHOOK_LIMITS.eventRetentionDays);
    if (n) this.logger.log({ events: n, days: WEBHOOK_LIMITS.eventRetentionDays }, 'pruned old webhook events');
    return n;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
