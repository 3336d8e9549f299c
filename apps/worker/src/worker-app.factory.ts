import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@flotilla/config';
import { PinoNestLogger, createLogger } from '@flotilla/observability';
import { WorkerModule, WorkerOptions } from './worker.module';

export async function createWorkerApp(config: AppConfig, options: WorkerOptions = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, options), {
    logger: new PinoNestLogger(createLogger('flotilla-worker', config.log.level)),
    abortOnError: false,
  });
  return app;
}
