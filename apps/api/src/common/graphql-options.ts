import type { MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyRequest } from 'fastify';
import { DocumentNode, GraphQLError, GraphQLSchema, NoSchemaIntrospectionCustomRule } from 'graphql';
import { AppConfig } from '@flotilla/config';
import { RateLimitService, RateLimitedError } from '../auth/rate-limit.service';
import { RequestGate } from '../auth/request-gate';
import { ViewerContext } from '../auth/viewer';
import { MetricsService } from '../health/metrics.service';
import { operationLabel } from '../health/known-operations';
import { DOCUMENT_LIMITS, DocumentLimits, GRAPHQL_PARSE_FAILED, documentLimitError } from './graphql-limits.rule';
import { graphqlErrorFormatter } from './graphql-error.formatter';
import { OperationMeasure, measureOperation } from './query-cost.rule';
import { answerPreloadedFields } from './preloaded-fields';

interface RequestContext {
  request: FastifyRequest;
  viewer?: ViewerContext;
  /** Measured in preValidation, reused in preExecution (documents from the parse cache skip preValidation). */
  measure?: OperationMeasure | null;
}

/** A GraphQL document is sent as source text; Mercurius would otherwise take a JSON AST, unparsed and uncounted. */
const JSON_LIKE = /^[\s\uFEFF,]*(?:[[\d"-]|\{[\s,]*["}]|true\b|false\b|null\b)/;

/** operationName and variables as sent (POST body, or GET query string). */
function sentParams(request: FastifyRequest): { operationName?: unknown; variables?: Record<string, unknown> } {
  const source = (request.method === 'GET' ? request.query : request.body) as { operationName?: unknown; variables?: unknown } | undefined;
  let variables = source?.variables;
  if (typeof variables === 'string') {
    try {
      variables = JSON.parse(variables);
    } catch {
      variables = undefined;
    }
  }
  return { operationName: source?.operationName, variables: variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : undefined };
}

function hookError(err: unknown): unknown {
  if (err instanceof RateLimitedError) return new GraphQLError(err.message, { extensions: { code: err.code, retryAfterSeconds: err.retryAfterSeconds } });
  return err;
}

/**
 * The GraphQL module's options: Mercurius with JIT, the one error path for root and field resolvers,
 * and the limits that keep any document — up to the body limit — cheap to refuse:
 * 1. the parser stops at DOCUMENT_LIMITS.maxTokens;
 * 2. before validation, one linear pass (measureOperation) checks depth, aliases, directives, root
 *    and mutation fields, and the cost with the request's own page sizes;
 * 3. before execution (cached documents too), the cost with this request's variables is checked
 *    and spent from the token's per-minute budget.
 */
export function graphqlOptions(config: AppConfig, metrics: MetricsService, gate: RequestGate, limits: RateLimitService): MercuriusDriverConfig {
  const documentLimits: DocumentLimits = { ...DOCUMENT_LIMITS, maxCost: config.api.maxQueryCost };
  const measure = (schema: GraphQLSchema, document: DocumentNode, context: RequestContext, variables?: Record<string, unknown>) => {
    const sent = sentParams(context.request);
    const operationName = typeof sent.operationName === 'string' ? sent.operationName : undefined;
    return measureOperation(schema, document, { maxPageSize: config.api.maxPageSize, operationName, variables: variables ?? sent.variables });
  };
  return {
    autoSchemaFile: true,
    sortSchema: true,
    jit: 1,
    // Development only (FLOTILLA_GRAPHIQL); Mercurius's page loads GraphiQL itself from unpkg.com.
    graphiql: config.api.graphiql,
    // Root and field resolvers alike go through the guards and GraphqlErrorFilter.
    fieldResolverEnhancers: ['filters', 'guards'],
    // …except fields that hand over what their parent already carries (see answerPreloadedFields).
    transformSchema: answerPreloadedFields,
    graphql: { parseOptions: { maxTokens: DOCUMENT_LIMITS.maxTokens }, validateOptions: { maxErrors: 10 } },
    validationRules: config.api.introspection ? [] : [NoSchemaIntrospectionCustomRule],
    errorFormatter: graphqlErrorFormatter(!config.api.introspection) as unknown as MercuriusDriverConfig['errorFormatter'],
    context: (request: FastifyRequest): RequestContext => ({ request, viewer: gate.viewerOf(request) }),
    hooks: {
      preParsing: (_schema: GraphQLSchema, source: string) => {
        if (JSON_LIKE.test(source)) throw new GraphQLError('query must be a GraphQL document', { extensions: { code: GRAPHQL_PARSE_FAILED } });
      },
      preValidation: (schema: GraphQLSchema, document: DocumentNode, ctx: unknown) => {
        const context = ctx as RequestContext;
        context.measure = measure(schema, document, context);
        const error = context.measure && documentLimitError(context.measure, documentLimits);
        if (error) throw error;
      },
      preExecution: async (schema: GraphQLSchema, document: DocumentNode, ctx: unknown, variables: Record<string, unknown> | undefined) => {
        const context = ctx as RequestContext;
        const m = context.measure ?? measure(schema, document, context, variables);
        if (!m) return;
        const error = documentLimitError(m, documentLimits);
        if (error) throw error;
        if (context.viewer) await limits.spendForToken(context.viewer.tokenId, m.cost).catch((err: unknown) => Promise.reject(hookError(err)));
      },
      onResolution: async (execution, ctx) => {
        const context = ctx as unknown as RequestContext;
        metrics.graphqlOperations.inc({ operation: operationLabel(sentParams(context.request).operationName), outcome: execution.errors?.length ? 'error' : 'ok' });
      },
    },
  } as MercuriusDriverConfig;
}
