import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The one place that reads process.env. Validated once at start-up into a nested, typed object;
 * error messages name the variable and what is wrong, never the value (it may be a secret).
 */
export interface AppConfig {
  database: { url: string };
  /** `clusterNodes`: Redis Cluster seed nodes (REDIS_CLUSTER_NODES); null for one Redis at `url`. */
  redis: { url: string; clusterNodes: Array<{ host: string; port: number }> | null };
  queue: { prefix: string; concurrency: number };
  api: {
    port: number;
    host: string;
    maxPageSize: number;
    introspection: boolean;
    /** Query cost each token may spend per minute (0: off). */
    rateLimitPerMinute: number;
    /** Requests per client address per minute that carry no valid token (0: off). */
    anonymousRateLimitPerMinute: number;
    /** The most one GraphQL operation may cost. */
    maxQueryCost: number;
    /** Which proxies' X-Forwarded-For to believe: none (false), a hop count, or addresses/CIDRs. */
    trustProxy: false | number | string[];
    /** Mercurius's GraphiQL at /graphiql (development). */
    graphiql: boolean;
  };
  sync: { intervalSeconds: number; timeoutMs: number; unreachableAfterFailures: number };
  crypto: { encryptionKey?: string; keyId: string; keyFile: string };
  log: { level: string };
  kube: { insecureSkipTlsVerify: boolean };
  retention: { scanResultDays: number; /** FLOTILLA_COMPLIANCE_HISTORY_RETENTION_DAYS (default 730). */ complianceHistoryDays: number };
  /** Following a Cluster API rollout: poll interval, overall deadline, stall limit, and how long one job follows before handing over. */
  upgrade: { pollIntervalMs: number; deadlineSeconds: number; stallSeconds: number; followSliceSeconds: number };
  /**
   * The outbound agents' endpoint. The API serves it on its own port (agentPort; 0 picks one);
   * publicUrl is Flotilla's address as agents see it (FLOTILLA_PUBLIC_URL, https in production:
   * the agent endpoint is wss://<publicUrl host>/agent/v1/connect); unset, agents are told the
   * endpoint's own loopback address (development).
   */
  agents: { publicUrl?: string; port: number; host: string; registrationTtlSeconds: number };
  /** Provisioning through Cluster API: deadline to a ready control plane (or to deletion), poll interval (the upgrade follow slice applies too). */
  provisioning: { timeoutMinutes: number; pollIntervalMs: number };
  /** Campaigns: how often the loop looks at a running campaign, and how long a soak "minute" lasts (60; tests shorten it). */
  campaign: { tickMs: number; soakMinuteSeconds: number };
  /**
   * Webhook deliveries. `allowHttpLoopback` is the development allowance: http:// and loopback
   * destinations (localhost, 127.0.0.1, ::1); off, only https:// to public addresses.
   */
  webhooks: { allowHttpLoopback: boolean; timeoutMs: number; maxAttempts: number; retryBaseMs: number };
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Fastify's (proxy-addr's) vocabulary: an address, a CIDR, or a named range. */
function isProxyAddress(p: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(p)) return true;
  const [address, bits, ...rest] = p.split('/');
  if (rest.length || !isIP(address)) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128));
}

/** Default: no proxy is trusted, so X-Forwarded-For is ignored and the client address is the peer's. */
function parseTrustProxy(v: string): false | number | string[] {
  if (v === '') return false;
  if (/^\d+$/.test(v)) return Number(v) === 0 ? false : Number(v);
  return v.split(',').map((p) => p.trim());
}

const EnvSchema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/flotilla'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  // Redis Cluster: seed nodes "host:port,host:port"; REDIS_URL then gives only credentials and TLS.
  REDIS_CLUSTER_NODES: z
    .string()
    .default('')
    .transform((v, ctx) => {
      if (v.trim() === '') return null;
      const nodes = v.split(',').map((n) => /^\s*([^\s:,]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})\s*$/.exec(n));
      if (nodes.some((m) => !m || Number(m[2]) < 1 || Number(m[2]) > 65535)) {
        ctx.addIssue({ code: 'custom', message: 'host:port[,host:port…] expected (the seed nodes of a Redis Cluster)' });
        return z.NEVER;
      }
      return nodes.map((m) => ({ host: m![1].replace(/^\[|\]$/g, ''), port: Number(m![2]) }));
    }),
  FLOTILLA_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only')
    .default('flotilla'),
  FLOTILLA_QUEUE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  FLOTILLA_MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  FLOTILLA_GRAPHQL_INTROSPECTION: bool.default(true),
  /** Mercurius's GraphiQL at /graphiql: for development (`npm run dev` turns it on), off unless asked for. */
  FLOTILLA_GRAPHIQL: bool.default(false),
  FLOTILLA_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(5_000_000),
  FLOTILLA_ANONYMOUS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  FLOTILLA_GRAPHQL_MAX_COST: z.coerce.number().int().min(100).max(100_000_000).default(250_000),
  FLOTILLA_TRUST_PROXY: z
    .string()
    .default('')
    .refine((v) => v === '' || /^\d{1,2}$/.test(v) || v.split(',').every((p) => isProxyAddress(p.trim())), 'a hop count (1-99) or a comma-separated list of IP addresses, CIDRs, loopback, linklocal or uniquelocal')
    .transform(parseTrustProxy),
  FLOTILLA_SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  FLOTILLA_KUBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  FLOTILLA_UNREACHABLE_AFTER_FAILURES: z.coerce.number().int().min(1).max(100).default(3),
  FLOTILLA_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  FLOTILLA_ENCRYPTION_KEY_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/).default('k1'),
  FLOTILLA_KEY_FILE: z.string().default('.flotilla/encryption.key'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FLOTILLA_KUBE_INSECURE_SKIP_TLS_VERIFY: bool.default(false),
  FLOTILLA_SCAN_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  FLOTILLA_COMPLIANCE_HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(730),
  FLOTILLA_UPGRADE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  FLOTILLA_UPGRADE_DEADLINE_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  FLOTILLA_UPGRADE_STALL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  FLOTILLA_PUBLIC_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL')
    .optional(),
  FLOTILLA_AGENT_PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  FLOTILLA_AGENT_HOST: z.string().default('127.0.0.1'),
  FLOTILLA_AGENT_REGISTRATION_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(3600),
  FLOTILLA_PROVISION_TIMEOUT_MINUTES: z.coerce.number().min(0.05).max(24 * 60).default(45),
  FLOTILLA_PROVISION_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  FLOTILLA_CAMPAIGN_TICK_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  /** For tests only: a soak minute of fewer seconds. */
  FLOTILLA_CAMPAIGN_SOAK_MINUTE_SECONDS: z.coerce.number().int().min(1).max(60).default(60),
  /** Development only: webhooks may use http:// and loopback hosts (`npm run dev` and the tests turn it on). */
  FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK: bool.default(false),
  FLOTILLA_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  FLOTILLA_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
  FLOTILLA_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
});

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    database: { url: e.DATABASE_URL },
    redis: { url: e.REDIS_URL, clusterNodes: e.REDIS_CLUSTER_NODES },
    queue: { prefix: e.FLOTILLA_QUEUE_PREFIX, concurrency: e.FLOTILLA_QUEUE_CONCURRENCY },
    api: {
      port: e.PORT,
      host: e.HOST,
      maxPageSize: e.FLOTILLA_MAX_PAGE_SIZE,
      introspection: e.FLOTILLA_GRAPHQL_INTROSPECTION,
      rateLimitPerMinute: e.FLOTILLA_RATE_LIMIT_PER_MINUTE,
      anonymousRateLimitPerMinute: e.FLOTILLA_ANONYMOUS_RATE_LIMIT_PER_MINUTE,
      maxQueryCost: e.FLOTILLA_GRAPHQL_MAX_COST,
      trustProxy: e.FLOTILLA_TRUST_PROXY,
      graphiql: e.FLOTILLA_GRAPHIQL,
    },
    sync: {
      intervalSeconds: e.FLOTILLA_SYNC_INTERVAL_SECONDS,
      timeoutMs: e.FLOTILLA_KUBE_TIMEOUT_MS,
      unreachableAfterFailures: e.FLOTILLA_UNREACHABLE_AFTER_FAILURES,
    },
    crypto: { encryptionKey: e.FLOTILLA_ENCRYPTION_KEY, keyId: e.FLOTILLA_ENCRYPTION_KEY_ID, keyFile: e.FLOTILLA_KEY_FILE },
    log: { level: e.LOG_LEVEL },
    kube: { insecureSkipTlsVerify: e.FLOTILLA_KUBE_INSECURE_SKIP_TLS_VERIFY },
    retention: { scanResultDays: e.FLOTILLA_SCAN_RETENTION_DAYS, complianceHistoryDays: e.FLOTILLA_COMPLIANCE_HISTORY_RETENTION_DAYS },
    upgrade: {
      pollIntervalMs: e.FLOTILLA_UPGRADE_POLL_MS,
      deadlineSeconds: e.FLOTILLA_UPGRADE_DEADLINE_SECONDS,
      stallSeconds: e.FLOTILLA_UPGRADE_STALL_SECONDS,
      followSliceSeconds: e.FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS,
    },
    agents: {
      publicUrl: e.FLOTILLA_PUBLIC_URL,
      port: e.FLOTILLA_AGENT_PORT,
      host: e.FLOTILLA_AGENT_HOST,
      registrationTtlSeconds: e.FLOTILLA_AGENT_REGISTRATION_TTL_SECONDS,
    },
    provisioning: { timeoutMinutes: e.FLOTILLA_PROVISION_TIMEOUT_MINUTES, pollIntervalMs: e.FLOTILLA_PROVISION_POLL_MS },
    campaign: { tickMs: e.FLOTILLA_CAMPAIGN_TICK_MS, soakMinuteSeconds: e.FLOTILLA_CAMPAIGN_SOAK_MINUTE_SECONDS },
    webhooks: {
      allowHttpLoopback: e.FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK,
      timeoutMs: e.FLOTILLA_WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.FLOTILLA_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.FLOTILLA_WEBHOOK_RETRY_BASE_MS,
    },
  };
}

/** A database or Redis URL with any password replaced, for log lines. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
