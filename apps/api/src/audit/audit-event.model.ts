import { Field, ID, ObjectType } from '@nestjs/graphql';
import { PageInfoModel } from '../common/page-info.model';

@ObjectType('AuditEvent')
export class AuditEventModel {
  @Field(() => ID) id!: string;
  @Field() at!: Date;
  @Field() actor!: string;
  @Field() action!: string;
  @Field(() => String, { nullable: true }) targetType!: string | null;
  @Field(() => String, { nullable: true }) targetId!: string | null;
  @Field(() => String, { nullable: true, description: 'SUCCESS, FAILURE, or DENIED (a refused call that changed nothing)' }) outcome!: string | null;
}

@ObjectType('AuditEventEdge')
export class AuditEventEdgeModel {
  @Field(() => AuditEventModel) node!: AuditEventModel;
  @Field() cursor!: string;
}

@ObjectType('AuditEventConnection')
export class AuditEventConnectionModel {
  @Field(() => [AuditEventEdgeModel]) edges!: AuditEventEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}
