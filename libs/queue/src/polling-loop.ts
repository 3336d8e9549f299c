/**
 * Runs `step` every `intervalMs` until stopped — at once again while it reports more work — and
 * never two steps at a time. What the schedulers and the outbox relay share: a failed step is
 * reported and retried at the next interval; `stop()` waits for the step under way.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    /** Resolves true when more work is waiting (run again without pausing). */
    private readonly step: () => Promise<boolean>,
    private readonly opts: {
      intervalMs: number;
      onError: (err: Error) => void;
      /** The first step waits one interval too (a sweep that has nothing to find at start-up). */
      delayFirstRun?: boolean;
    },
  ) {}

  start(): void {
    const loop = async () => {
      try {
        while (!this.stopped && (await this.step())) {
          /* more is waiting */
        }
      } catch (err) {
        this.opts.onError(err as Error);
      }
      if (!this.stopped) this.timer = setTimeout(() => (this.running = loop()), this.opts.intervalMs);
    };
    if (this.opts.delayFirstRun) this.timer = setTimeout(() => (this.running = loop()), this.opts.intervalMs);
    else this.running = loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
