import { Injectable, Logger } from '@nestjs/common';
import { redactText } from '@flotilla/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '../common/domain.errors';
import { AuthenticationService } from './authentication.service';
import { RateLimitService, RateLimitedError } from './rate-limit.service';
import { ViewerContext } from './viewer';

import { DASHBOARD_ROUTES } from '../dashboard/dashboard-static';

/** Probes answer without a token and without spending anything: a load balancer polls them. */
const PROBES = new Set(['/healthz', '/readyz']);
/**
 * The dashboard's pages and hashed files: served from memory, touching neither PostgreSQL nor Redis,
 * so free like the probes — signed-in users behind one address are never refused their dashboard.
 */
const DASHBOARD_PATHS = new Set(['/assets/*', ...DASHBOARD_ROUTES]);
const GRAPHQL = '/graphql';

/**
 * The first thing every request meets (a Fastify onRequest hook, before its body is read or parsed):
 * `/graphql` needs a valid bearer token, anything else without one counts against the client's
 * address. Refusals follow HTTP — 401 with `WWW-Authenticate: Bearer`, 429 with `Retry-After` — and
 * keep the GraphQL error code in a GraphQL-shaped body. The viewer found here is what the resolvers see.
 * The client address is the peer's unless FLOTILLA_TRUST_PROXY names the proxies in front.
 */
@Injectable()
export class RequestGate {
  private readonly logger = new Logger(RequestGate.name);
  private readonly viewers = new WeakMap<FastifyRequest, ViewerContext>();

  constructor(
    private readonly auth: AuthenticationService,
    private readonly limits: RateLimitService,
  ) {}

  /** The authenticated caller of a GraphQL request (set by onRequest). */
  viewerOf(request: FastifyRequest): ViewerContext | undefined {
    return this.viewers.get(request);
  }

  /** Resolves to the reply when the request was answered here (Fastify's way to end an async hook early). */
  async onRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const route = request.routeOptions?.url;
    if (route && (PROBES.has(route) || DASHBOARD_PATHS.has(route))) return undefined;
    try {
      if (route === GRAPHQL) this.viewers.set(request, await this.auth.authenticate(request.headers.authorization, request.ip));
      else await this.limits.chargeAddress(request.ip);
    } catch (err) {
      // The budgets live in Redis and tokens in PostgreSQL: without them nothing can be counted or
      // checked, so the API refuses plainly (fail closed) rather than serve unmetered traffic.
      if (!(err instanceof DomainError)) {
        this.logger.warn({ error: redactText((err as Error)?.message ?? String(err)) }, 'request refused: rate limiter or token store unreachable');
        return unavailable(reply);
      }
      return refuse(reply, err, Boolean(request.headers.authorization));
    }
    return undefined;
  }
}

/** 503 with Retry-After when the rate limiter (Redis) or the token store (PostgreSQL) cannot be reached. */
async function unavailable(reply: FastifyReply): Promise<FastifyReply> {
  return reply
    .code(503)
    .headers({ 'retry-after': '5' })
    .send({ data: null, errors: [{ message: 'the API cannot check requests right now (a backing service is unreachable): retry shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
}

/** Sends the HTTP answer for a refused request: status, headers and a GraphQL-shaped body. */
export async function refuse(reply: FastifyReply, err: DomainError, tokenPresented: boolean): Promise<FastifyReply> {
  const headers = refusalHeaders(err.code, tokenPresented, err instanceof RateLimitedError ? err.retryAfterSeconds : undefined);
  return reply
    .code(err.code === ErrorCode.RateLimited ? 429 : 401)
    .headers(headers)
    .send({ data: null, errors: [{ message: err.message, extensions: { code: err.code } }] });
}

/** RFC 6750 for a missing or bad token, RFC 9110 Retry-After for a spent budget. */
export function refusalHeaders(code: string, tokenPresented: boolean, retryAfterSeconds?: number): Record<string, string> {
  if (code === ErrorCode.RateLimited) return { 'retry-after': String(retryAfterSeconds ?? 60) };
  if (code === ErrorCode.Unauthenticated) return { 'www-authenticate': tokenPresented ? 'Bearer realm="flotilla", error="invalid_token"' : 'Bearer realm="flotilla"' };
  return {};
}
