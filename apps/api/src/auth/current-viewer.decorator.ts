import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ViewerContext } from './viewer';

export const CurrentViewer = createParamDecorator((_data: unknown, ctx: ExecutionContext): ViewerContext => {
  const viewer = GqlExecutionContext.create(ctx).getContext().viewer as ViewerContext | undefined;
  if (!viewer) throw new Error('CurrentViewer used outside an authenticated resolver');
  return viewer;
});
