import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { WebhookEventType } from '@flotilla/notifications';
import { WebhookRow } from '@flotilla/persistence';

registerEnumType(WebhookEventType, { name: 'WebhookEvent' });

@ObjectType('Webhook')
export class WebhookModel {
  @Field(() => ID) id!: string;
  @Field() url!: string;
  @Field(() => [WebhookEventType]) events!: WebhookEventType[];
  @Field(() => String, { nullable: true, description: 'the signing secret: only in the createWebhook response, null everywhere else' })
  secret!: string | null;
  @Field(() => Date, { nullable: true }) lastDeliveryAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; 0 when no response came (timeout, connection error, refused address)' })
  lastDeliveryStatus!: number | null;
  @Field(() => Date, { nullable: true, description: 'set by the first failed attempt after a success, cleared by the next success' })
  failingSince!: Date | null;

  /** Never carries the secret: only createWebhook's response sets it, after this. */
  static from(w: WebhookRow): WebhookModel {
    return {
      id: w.id,
      url: w.url,
      events: w.events as WebhookEventType[],
      secret: null,
      lastDeliveryAt: w.lastDeliveryAt,
      lastDeliveryStatus: w.lastDeliveryStatus,
      failingSince: w.failingSince,
    };
  }
}

@InputType('CreateWebhookInput')
export class CreateWebhookInput {
  @Field() url!: string;
  @Field(() => [WebhookEventType]) events!: WebhookEventType[];
}
