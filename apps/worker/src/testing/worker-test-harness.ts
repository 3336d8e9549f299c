import { INestApplicationContext } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { createWorkerApp } from '../worker-app.factory';

/** Boots a real worker (BullMQ on the test run's Redis prefix, PostgreSQL) with the API harness's config. */
export async function startWorkerHarness(config: AppConfig): Promise<INestApplicationContext> {
  const app = await createWorkerApp(config);
  await app.init();
  return app;
}
