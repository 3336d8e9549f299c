import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { CreateWebhookInput, WebhookModel } from './webhook.model';
import { WebhookService } from './webhook.service';

/** ADMIN only, like API tokens: a webhook's URL can name internal systems, and its events describe the fleet. */
@Resolver(() => WebhookModel)
export class WebhookResolver {
  constructor(private readonly service: WebhookService) {}

  @Query(() => [WebhookModel])
  @RequireRole('ADMIN')
  async webhooks(@CurrentViewer() viewer: ViewerContext): Promise<WebhookModel[]> {
    return (await this.service.list(viewer)).map(WebhookModel.from);
  }

  /** The only response that carries the signing secret. */
  @Mutation(() => WebhookModel)
  @RequireRole('ADMIN')
  async createWebhook(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreateWebhookInput): Promise<WebhookModel> {
    const { webhook, secret } = await this.service.create(viewer, input);
    return { ...WebhookModel.from(webhook), secret };
  }

  @Mutation(() => Boolean)
  @RequireRole('ADMIN')
  async deleteWebhook(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.service.delete(viewer, id);
  }
}
