import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@flotilla/config';
import { PinoNestLogger, createLogger } from '@flotilla/observability';
import type { DestinationStream } from 'pino';
import { WorkerModule, WorkerOptions } from './worker.module';

export async function createWorkerApp(config: AppConfig, options: WorkerOptions & { logDestination?: DestinationStream } = {}): Promise<INestApplicationContext> {
  const { logDestination, ...moduleOptions } = options;
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, moduleOptions), {
    logger: new PinoNestLogger(createLogger('flotilla-worker', config.log.level, logDestination)),
    abortOnError: false,
  });
  return app;
}
