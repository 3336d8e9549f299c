import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, loadConfig } from '@flotilla/config';
import { bootstrapAdmin } from '@flotilla/access';
import { migrate } from '@flotilla/persistence';
import type { DestinationStream } from 'pino';
import { createApiApp } from '../api-app.factory';
import { AgentGateway } from '../agents/agent-gateway';

export interface GqlResult<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

export interface ApiHarness {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  /** An ADMIN token of a fresh organization of this harness. */
  adminToken: string;
  organizationId: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResult<T>>;
  /** A new organization with its own ADMIN token (for tenant isolation tests). */
  newOrganization(name?: string): Promise<{ organizationId: string; token: string }>;
  close(): Promise<void>;
}

/**
 * Boots the real API (PostgreSQL, Redis) against the test run's database, on a random port.
 * The test runner (scripts/test.ts) sets DATABASE_URL and FLOTILLA_QUEUE_PREFIX per run.
 */
export async function startApiHarness(env: Record<string, string> = {}, opts: { logDestination?: DestinationStream } = {}): Promise<ApiHarness> {
  const keyDir = mkdtempSync(join(tmpdir(), 'flotilla-key-'));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    FLOTILLA_KEY_FILE: join(keyDir, 'key'),
    // One key per test run, like one key per deployment: harnesses of test files running at once share
    // the run's database and queues, so any worker may take (and must decrypt) another file's job.
    FLOTILLA_ENCRYPTION_KEY: createHash('sha256').update(`flotilla-test-key:${process.env.DATABASE_URL ?? ''}:${process.env.FLOTILLA_QUEUE_PREFIX ?? ''}`).digest('base64'),
    ...env,
  });
  await migrate(config.database.url);
  const app = await createApiApp(config, opts);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  // Agents connect on their own port (a random one here); FLOTILLA_AGENT_PORT picks it otherwise.
  await app.get(AgentGateway).listen(env.FLOTILLA_AGENT_PORT === undefined ? 0 : config.agents.port, '127.0.0.1');
  const newOrganization = async (name = `org-${randomBytes(4).toString('hex')}`) => {
    const r = await bootstrapAdmin({ databaseUrl: config.database.url, organizationName: name });
    return { organizationId: r.organizationId, token: r.token };
  };
  const first = await newOrganization();
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token: string | null = first.token): Promise<GqlResult<T>> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult<T>;
  };
  return {
    app,
    url,
    config,
    adminToken: first.token,
    organizationId: first.organizationId,
    gql,
    newOrganization,
    close: () => app.close(),
  };
}
