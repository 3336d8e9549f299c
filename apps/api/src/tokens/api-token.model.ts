import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiTokenEntity } from '@flotilla/persistence';
import { RoleEnum } from '../common/enums';

@ObjectType('ApiToken')
export class ApiTokenModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => RoleEnum) role!: RoleEnum;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
  @Field(() => ID, { nullable: true, description: 'The workspace the token is restricted to (null: the whole organization)' }) workspaceId!: string | null;

  static from(e: ApiTokenEntity): ApiTokenModel {
    return {
      id: e.id,
      name: e.name,
      role: e.role as RoleEnum,
      createdAt: e.createdAt,
      expiresAt: e.expiresAt,
      lastUsedAt: e.lastUsedAt,
      revokedAt: e.revokedAt,
      workspaceId: e.workspaceId ?? null,
    };
  }
}

/** The only response that ever carries a token in clear: the one that creates it. */
@ObjectType('CreatedApiToken')
export class CreatedApiTokenModel {
  @Field() token!: string;
  @Field(() => ApiTokenModel) apiToken!: ApiTokenModel;
}

@InputType('CreateApiTokenInput')
export class CreateApiTokenInput {
  @Field() name!: string;
  @Field(() => RoleEnum, { nullable: true, description: 'default VIEWER' }) role?: RoleEnum | null;
  @Field(() => Int, { nullable: true, description: 'default 90, at most 365' }) expiresInDays?: number | null;
  @Field(() => ID, {
    nullable: true,
    description: "Restrict the token to one workspace: it sees only the workspace's clusters and namespaces and cannot act elsewhere. A workspace-restricted token can create tokens for its own workspace only (the default for it).",
  })
  workspaceId?: string | null;
}
