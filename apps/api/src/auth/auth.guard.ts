import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Role } from '@flotilla/persistence';
import { DomainError, ErrorCode } from '../common/domain.errors';
import { REQUIRED_ROLE } from './require-role.decorator';
import { ViewerContext, roleAllows } from './viewer';
import { assertWorkspaceMayCall } from './workspace-restriction';

/**
 * Every GraphQL resolver, root and field, passes here. The viewer was authenticated once per request
 * by the RequestGate (before the body was parsed) and sits on the GraphQL context; mutations then
 * check their @RequireRole.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'graphql') return true;
    const gqlContext = GqlExecutionContext.create(context);
    const gql = gqlContext.getContext() as { viewer?: ViewerContext };
    if (!gql.viewer) throw new DomainError(ErrorCode.Unauthenticated, 'missing, invalid, expired or revoked API token');
    const info = gqlContext.getInfo<{ parentType: { name: string }; fieldName: string }>();
    assertWorkspaceMayCall(gql.viewer, info.parentType.name, info.fieldName);
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (required && !roleAllows(gql.viewer.role, required)) {
      throw new DomainError(ErrorCode.Forbidden, `this operation needs the ${required} role; the token has ${gql.viewer.role}`);
    }
    return true;
  }
}
