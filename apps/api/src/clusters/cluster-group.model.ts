import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ClusterGroup')
export class ClusterGroupModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  /** Counted only when asked for (see ClusterGroupResolver.clusterCount); null when not yet counted. */
  @Field(() => Int) clusterCount!: number | null;

  static unCounted(g: { id: string; name: string; description: string | null }): ClusterGroupModel {
    return Object.assign(new ClusterGroupModel(), { id: g.id, name: g.name, description: g.description, clusterCount: null });
  }
}
