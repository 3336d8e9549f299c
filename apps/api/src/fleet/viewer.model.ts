import { Field, ID, ObjectType } from '@nestjs/graphql';
import { RoleEnum } from '../common/enums';

@ObjectType('Organization')
export class OrganizationModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String], { description: "The ClusterRoles this organization's ACCESS policies may bind (setAccessBindableRoles changes it)." })
  accessBindableRoles!: string[];
}

@ObjectType('Viewer')
export class ViewerModel {
  @Field(() => RoleEnum) role!: RoleEnum;
  @Field(() => OrganizationModel) organization!: OrganizationModel;
}
