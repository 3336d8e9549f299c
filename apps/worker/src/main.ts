import { ConfigError, loadConfig } from '@flotilla/config';
import { createWorkerApp } from './worker-app.factory';

/** Bound on graceful shutdown: running jobs get this long to finish after SIGTERM. */
const SHUTDOWN_GRACE_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createWorkerApp(config);
  process.stdout.write(`flotilla worker started (queue prefix ${config.queue.prefix}, concurrency ${config.queue.concurrency})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`flotilla worker: ${signal}, finishing running jobs\n`);
    const force = setTimeout(() => {
      process.stderr.write('flotilla worker: jobs did not finish in time; exiting (they will be retried)\n');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `flotilla worker failed to start: ${err.message}\n`);
  process.exit(1);
});
