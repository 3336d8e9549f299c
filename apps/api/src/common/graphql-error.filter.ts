import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { GqlArgumentsHost, GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError, GraphQLResolveInfo } from 'graphql';
import { InputValidationError } from '@flotilla/validation';
import { DeniedMutationAudit } from './denied-mutation.audit';
import { ViewerContext } from '../auth/viewer';
import { DomainError, ErrorCode } from './domain.errors';

function assertUnreachable(x: never): never {
  throw new Error(`unmapped error code ${String(x)}`);
}

function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.BadUserInput:
      return 400;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.FailedPrecondition:
      return 412;
    default:
      return assertUnreachable(code);
  }
}

/**
 * Every error leaving a resolver, root or field (fieldResolverEnhancers), and every guard refusal:
 * domain errors keep their message and code; anything else is an internal error whose details stay
 * in the log (they may hold SQL or, worse, secrets). A mutation refused as FORBIDDEN or NOT_FOUND is
 * also recorded as a DENIED audit event before the answer leaves.
 */
@Catch()
export class GraphqlErrorFilter implements GqlExceptionFilter {
  private readonly logger = new Logger('GraphQL');

  constructor(private readonly denials: DeniedMutationAudit) {}

  catch(exception: unknown, host: ArgumentsHost): GraphQLError | Promise<GraphQLError> {
    const answer = this.map(exception);
    if (!this.denials.isDenial(exception) || host.getType<string>() !== 'graphql') return answer;
    const gql = GqlArgumentsHost.create(host);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const viewer = gql.getContext<{ viewer?: ViewerContext }>().viewer;
    if (info?.parentType?.name !== 'Mutation' || !viewer) return answer;
    return this.denials.record(viewer, info.fieldName, gql.getArgs<Record<string, unknown>>() ?? {}, exception).then(() => answer);
  }

  private map(exception: unknown): GraphQLError {
    if (exception instanceof DomainError) {
      return new GraphQLError(exception.message, {
        extensions: { code: exception.code, status: httpStatusFor(exception.code), ...(exception.field ? { field: exception.field } : {}) },
      });
    }
    if (exception instanceof InputValidationError) {
      return new GraphQLError(exception.message, {
        extensions: { code: ErrorCode.BadUserInput, status: httpStatusFor(ErrorCode.BadUserInput), field: exception.field },
      });
    }
    if (exception instanceof GraphQLError) return exception;
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return new GraphQLError(exception.message, { extensions: { code: ErrorCode.BadUserInput } });
    }
    this.logger.error({ err: (exception as Error)?.name, message: (exception as Error)?.message }, 'unexpected error in a resolver');
    return new GraphQLError('internal error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}

