import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Role } from '../../../../libs/persistence/src';
import { DomainError, ErrorCode } from '../common/domain.errors';
import { AuthenticationService } from './authentication.service';
import { REQUIRED_ROLE } from './require-role.decorator';
import { ViewerContext, roleAllows } from './viewer';

/**
 * Every GraphQL field resolver passes here. The viewer is resolved once per request and kept on
 * the GraphQL context; mutations then check their @RequireRole.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthenticationService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') return true;
    const gql = GqlExecutionContext.create(context).getContext() as { viewer?: ViewerContext; viewerPromise?: Promise<ViewerContext>; reply?: any; request?: any };
    if (!gql.viewer) {
      gql.viewerPromise ??= this.auth.authenticate(gql.request?.headers?.authorization ?? gql.reply?.request?.headers?.authorization);
      gql.viewer = await gql.viewerPromise;
    }
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (required && !roleAllows(gql.viewer.role, required)) {
      throw new DomainError(ErrorCode.Forbidden, `this operation needs the ${required} role; the token has ${gql.viewer.role}`);
    }
    return true;
  }
}
