import { Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { refusalHeaders } from '../auth/request-gate';
import { DomainError, ErrorCode } from './domain.errors';
import { DOCUMENT_REFUSALS } from './graphql-limits.rule';

const logger = new Logger('GraphQL');
const INTERNAL = 'INTERNAL_SERVER_ERROR';
/** graphql-js appends these to "unknown field/argument/type/enum value" messages: a map of the schema. */
const SUGGESTION = /\s*Did you mean [^?]*\?\s*$/;

interface ExecutionLike {
  data?: unknown;
  errors: readonly GraphQLError[];
}
interface ReplyLike {
  header(name: string, value: string): unknown;
  request?: { headers?: Record<string, unknown> };
}

/**
 * The last step of every GraphQL answer (Mercurius' errorFormatter): what the client may read and
 * the HTTP status. Domain errors were already mapped by GraphqlErrorFilter; here anything that
 * still carries a non-GraphQL cause (a driver error that escaped a resolver) becomes a generic
 * INTERNAL_SERVER_ERROR, field suggestions go when introspection is off, and refusals get their
 * status: 401 with WWW-Authenticate, 429 with Retry-After, 400 for a document over the limits.
 */
export function graphqlErrorFormatter(hideSuggestions: boolean) {
  return (execution: ExecutionLike, context: { reply?: ReplyLike }): { statusCode: number; response: { data: unknown; errors: GraphQLFormattedError[] } } => {
    const flat = execution.errors.flatMap((e) => {
      const inner = (e.originalError as { errors?: unknown } | undefined)?.errors;
      return Array.isArray(inner) ? inner.map(asGraphQLError) : [e];
    });
    const errors = flat.map((e) => publicError(e, hideSuggestions));
    const codes = new Set(errors.map((e) => e.extensions?.code));
    let statusCode = 200;
    if (!execution.data) {
      if (codes.has(ErrorCode.RateLimited)) statusCode = 429;
      else if (codes.has(ErrorCode.Unauthenticated)) statusCode = 401;
      else if ([...codes].some((c) => DOCUMENT_REFUSALS.has(c))) statusCode = 400;
      else statusCode = clientStatusOf(execution.errors) ?? 200;
    }
    const reply = context.reply;
    if (reply && (statusCode === 401 || statusCode === 429)) {
      const retryAfter = errors.find((e) => e.extensions?.code === ErrorCode.RateLimited)?.extensions?.retryAfterSeconds;
      const headers = refusalHeaders(statusCode === 429 ? ErrorCode.RateLimited : ErrorCode.Unauthenticated, Boolean(reply.request?.headers?.authorization), typeof retryAfter === 'number' ? retryAfter : undefined);
      for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    }
    return { statusCode, response: { data: execution.data ?? null, errors } };
  };
}

function asGraphQLError(e: unknown): GraphQLError {
  if (e instanceof GraphQLError) return e;
  const err = e as Error;
  return new GraphQLError(String(err?.message ?? err), { originalError: err instanceof Error ? err : undefined });
}

/** The status a framework error asked for (Mercurius' 400 for validation, Fastify's for a bad body). */
function clientStatusOf(errors: readonly GraphQLError[]): number | undefined {
  for (const e of errors) {
    const status = (e.originalError as { statusCode?: unknown } | undefined)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return status;
  }
  return undefined;
}

function publicError(e: GraphQLError, hideSuggestions: boolean): GraphQLFormattedError {
  const cause = e.originalError;
  if (cause instanceof DomainError) {
    return { message: cause.message, path: e.path, extensions: { code: cause.code, ...(cause.field ? { field: cause.field } : {}) } };
  }
  const frameworkStatus = (cause as { statusCode?: unknown } | undefined)?.statusCode;
  const unexplained = cause && !(cause instanceof GraphQLError) && e.extensions?.code === undefined && !(typeof frameworkStatus === 'number' && frameworkStatus < 500);
  if (unexplained) {
    logger.error({ err: cause.name, message: cause.message }, 'unexpected error reached the GraphQL answer');
    return { message: 'internal error', path: e.path, extensions: { code: INTERNAL } };
  }
  const json = e.toJSON();
  return hideSuggestions ? { ...json, message: json.message.replace(SUGGESTION, '') } : json;
}
