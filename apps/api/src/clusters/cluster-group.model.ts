import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ClusterGroup')
export class ClusterGroupModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Int) clusterCount!: number;
}
