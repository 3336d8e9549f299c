import { INestApplicationContext } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import type { DestinationStream } from 'pino';
import { createWorkerApp } from '../worker-app.factory';
import { WorkerOptions } from '../worker.module';

/** Boots a real worker (BullMQ on the test run's Redis prefix, PostgreSQL) with the API harness's config. */
export async function startWorkerHarness(config: AppConfig, options: WorkerOptions & { logDestination?: DestinationStream } = {}): Promise<INestApplicationContext> {
  const app = await createWorkerApp(config, options);
  await app.init();
  return app;
}
