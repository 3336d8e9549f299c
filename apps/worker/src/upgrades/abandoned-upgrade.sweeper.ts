import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { PollingLoop } from '@flotilla/queue';
import { redactText } from '@flotilla/observability';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { UpgradeOutcomeRecorder } from './upgrade-outcome.recorder';

/** A live runner ends its own upgrade at the deadline; the sweeper waits this much longer. */
const GRACE_SECONDS = 60;

/**
 * The backstop behind "never RUNNING forever": ends upgrades no runner follows any more (see
 * UpgradeRepository.failAbandoned) — a minute of grace past the deadline, and the whole deadline
 * for one that never started. Safe in every replica at once: each row is ended by one UPDATE.
 */
@Injectable()
export class AbandonedUpgradeSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AbandonedUpgradeSweeper.name);
  private readonly loop: PollingLoop;

  constructor(
    private readonly outcomes: UpgradeOutcomeRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new PollingLoop(async () => (await this.failAbandoned(), false), {
      intervalMs: Math.min(60_000, Math.max(1000, this.config.upgrade.stallSeconds * 1000)),
      delayFirstRun: true,
      onError: (err) => this.logger.warn({ error: redactText(err.message) }, 'could not sweep abandoned upgrades'),
    });
  }

  async failAbandoned(): Promise<number> {
    return (await this.outcomes.failAbandoned(GRACE_SECONDS, this.config.upgrade.deadlineSeconds)).length;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
