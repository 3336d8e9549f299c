import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@flotilla/config';
import { PinoNestLogger, createLogger } from '@flotilla/observability';
import type { DestinationStream } from 'pino';
import { WorkerModule } from './worker.module';

export async function createWorkerApp(config: AppConfig, opts: { logDestination?: DestinationStream } = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(createLogger('flotilla-worker', config.log.level, opts.logDestination)),
    abortOnError: false,
  });
  return app;
}
