import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QueueSet } from '@flotilla/queue';
import { DATA_SOURCE, QUEUES } from '@flotilla/infrastructure';

/**
 * Prometheus metrics. HTTP and GraphQL figures are this replica's own; queue depth and job
 * outcomes are read from Redis and PostgreSQL at scrape time, so every replica reports the same
 * fleet-wide truth.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'flotilla_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'flotilla_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly graphqlOperations = new Counter({
    name: 'flotilla_graphql_operations_total',
    help: 'GraphQL operations by name and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });

  constructor(
    @Inject(QUEUES) private readonly queues: QueueSet,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'flotilla_api_' });
    const queues_ = this.queues;
    new Gauge({
      name: 'flotilla_queue_jobs',
      help: 'Jobs in each BullMQ queue by state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        const depths = await queues_.depths();
        for (const [queue, states] of Object.entries(depths)) for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      },
    });
    const db_ = this.db;
    new Gauge({
      name: 'flotilla_jobs_recent',
      help: 'Jobs recorded in the last 24 hours by queue and outcome',
      labelNames: ['queue', 'status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows: Array<{ queue: string; status: string; n: number }> = await db_.query(
          `SELECT queue, status, count(*)::int AS n FROM jobs WHERE created_at > now() - interval '24 hours' GROUP BY queue, status`,
        );
        for (const r of rows) this.set({ queue: r.queue, status: r.status }, r.n);
      },
    });
  }
}
