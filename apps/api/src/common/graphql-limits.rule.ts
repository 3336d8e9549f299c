import { GraphQLError } from 'graphql';
import { OperationMeasure } from './query-cost.rule';

/**
 * The shape every document must keep, checked on the parsed document before GraphQL's own
 * validation runs (some of its rules are quadratic in the fields of one selection), in one pass that
 * is linear in the document (measureOperation). The dashboard's and the CLI's operations stay far
 * below each: at most 354 tokens, depth 5, no aliases and no directives.
 */
export const DOCUMENT_LIMITS = {
  /** Lexer tokens per document; the parser stops counting there (graphql's `maxTokens`). */
  maxTokens: 5000,
  maxDepth: 10,
  maxAliases: 30,
  maxDirectives: 20,
  maxRootFields: 20,
  /**
   * GraphQL's OverlappingFieldsCanBeMerged rule is quadratic in the fields and fragments side by side
   * in one selection set: 400 spreads of small fragments took half a second to validate.
   */
  maxSelectionsPerSet: 50,
  maxFragments: 50,
  /** Each one is a write, an audit event and maybe a job: a batch is ten calls, not a thousand. */
  maxMutationFields: 10,
} as const;

export type DocumentLimits = typeof DOCUMENT_LIMITS & { maxCost: number };

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';
export const QUERY_TOO_EXPENSIVE = 'QUERY_TOO_EXPENSIVE';
/** A request whose query is not GraphQL source text (Mercurius would take a JSON AST). */
export const GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED';
/** Refusals of the document itself: HTTP 400. */
export const DOCUMENT_REFUSALS: ReadonlySet<unknown> = new Set([QUERY_TOO_COMPLEX, QUERY_TOO_EXPENSIVE, GRAPHQL_PARSE_FAILED]);

function tooComplex(what: string, actual: number, limit: number): GraphQLError {
  return new GraphQLError(`the document has ${actual} ${what}; at most ${limit} are allowed`, {
    extensions: { code: QUERY_TOO_COMPLEX, limit: what, max: limit },
  });
}

/** The first limit the operation breaks, or null. The cost is checked last: it depends on the variables. */
export function documentLimitError(m: OperationMeasure, limits: DocumentLimits): GraphQLError | null {
  if (m.depth > limits.maxDepth) return tooComplex('levels of nested fields', m.depth, limits.maxDepth);
  if (m.aliases > limits.maxAliases) return tooComplex('aliases', m.aliases, limits.maxAliases);
  if (m.directives > limits.maxDirectives) return tooComplex('directives', m.directives, limits.maxDirectives);
  if (m.kind === 'mutation' && m.rootFields > limits.maxMutationFields) return tooComplex('mutation fields', m.rootFields, limits.maxMutationFields);
  if (m.rootFields > limits.maxRootFields) return tooComplex('top-level fields', m.rootFields, limits.maxRootFields);
  if (m.width > limits.maxSelectionsPerSet) return tooComplex('selections side by side in one selection set', m.width, limits.maxSelectionsPerSet);
  if (m.fragments > limits.maxFragments) return tooComplex('fragments', m.fragments, limits.maxFragments);
  return queryCostError(m, limits.maxCost);
}

export function queryCostError(m: OperationMeasure, maxCost: number): GraphQLError | null {
  if (m.cost <= maxCost) return null;
  return new GraphQLError(`query is too expensive: cost ${m.cost} exceeds ${maxCost} (ask for smaller pages or fewer nested lists)`, {
    extensions: { code: QUERY_TOO_EXPENSIVE, cost: m.cost, maxCost },
  });
}
