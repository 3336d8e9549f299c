import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { ApiTokenModel, CreateApiTokenInput, CreatedApiTokenModel } from './api-token.model';
import { ApiTokenService } from './api-token.service';

@Resolver(() => ApiTokenModel)
export class ApiTokenResolver {
  constructor(private readonly tokens: ApiTokenService) {}

  @Query(() => [ApiTokenModel])
  @RequireRole('ADMIN')
  async apiTokens(@CurrentViewer() viewer: ViewerContext): Promise<ApiTokenModel[]> {
    return (await this.tokens.list(viewer)).map(ApiTokenModel.from);
  }

  @Mutation(() => CreatedApiTokenModel)
  @RequireRole('ADMIN')
  async createApiToken(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreateApiTokenInput): Promise<CreatedApiTokenModel> {
    const created = await this.tokens.create(viewer, input);
    return { token: created.token, apiToken: ApiTokenModel.from(created.apiToken) };
  }

  @Mutation(() => ApiTokenModel)
  @RequireRole('ADMIN')
  async revokeApiToken(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<ApiTokenModel> {
    return ApiTokenModel.from(await this.tokens.revoke(viewer, id));
  }
}
