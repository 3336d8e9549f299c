import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '@flotilla/config';
import { PinoNestLogger, createLogger } from '@flotilla/observability';
import type { DestinationStream } from 'pino';
import { ApiModule } from './api.module';
import { RequestGate } from './auth/request-gate';
import { registerDashboard } from './dashboard/dashboard-static';
import { MetricsService } from './health/metrics.service';

const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the API application (not yet listening): used by main, the dev stack and the tests. */
export async function createApiApp(config: AppConfig, opts: { logDestination?: DestinationStream } = {}): Promise<NestFastifyApplication> {
  // X-Forwarded-For is believed only from the proxies FLOTILLA_TRUST_PROXY names (default: none). Fastify
  // also takes a hop count; the adapter's type does not say so.
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: config.api.trustProxy as boolean | string[] });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(createLogger('flotilla-api', config.log.level, opts.logDestination)),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  const gate = app.get(RequestGate);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply) => gate.onRequest(request, reply));
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  registerDashboard(fastify);
  return app;
}

/** The schema as served, sorted: what `apps/api/schema.graphql` must equal. */
export function printServedSchema(app: NestFastifyApplication): string {
  return printSchema(lexicographicSortSchema(app.get(GraphQLSchemaHost).schema)) + '\n';
}
