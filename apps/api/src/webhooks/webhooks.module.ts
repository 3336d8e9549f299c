import { Module } from '@nestjs/common';
import { WebhookResolver } from './webhook.resolver';
import { WebhookService } from './webhook.service';

/** Signed webhooks: create (the secret shown once), list, delete (ADMIN). Delivery is the worker's. */
@Module({
  providers: [WebhookService, WebhookResolver],
})
export class WebhooksModule {}
