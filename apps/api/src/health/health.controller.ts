import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import type { RedisConnection } from '@flotilla/queue';
import { DATA_SOURCE, REDIS } from '@flotilla/infrastructure';

@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: RedisConnection,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis both answer within a second. */
  @Get('readyz')
  async readyz(@Res() reply: FastifyReply) {
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))]);
    const [database, redis] = await Promise.all([
      within(this.db.query('SELECT 1')).then(() => 'ok', (e: Error) => `failed: ${e.message}`),
      within(this.redis.ping()).then(() => 'ok', (e: Error) => `failed: ${e.message}`),
    ]);
    const ok = database === 'ok' && redis === 'ok';
    await reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: { database, redis } });
  }
}
