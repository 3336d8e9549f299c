import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ClusterModel } from '../clusters/cluster.model';
import type { Violation } from '@flotilla/policy';

@ObjectType('PolicyPreviewCluster', { description: 'One cluster the would-be policy finds violations on (violations paged by the field)' })
export class PolicyPreviewClusterModel {
  @Field(() => ClusterModel) cluster!: ClusterModel;
  @Field(() => Int) violationCount!: number;
  /** Resolved with `first` by PolicyPreviewClusterResolver. */
  allViolations!: Violation[];
}

@ObjectType('PolicyPreview', {
  description: "A would-be policy evaluated on the latest cached snapshot of each cluster in its scope: no cluster is contacted and nothing is stored",
})
export class PolicyPreviewModel {
  @Field(() => Int, { description: 'Clusters whose cached snapshot the policy was evaluated on' }) evaluatedClusters!: number;
  @Field(() => Int, { description: 'Clusters in scope without a usable snapshot (never scanned since, or the snapshot lacks a kind the policy reads)' })
  notEvaluatedClusters!: number;
  @Field(() => Int) wouldViolateClusters!: number;
  @Field(() => Int, { description: 'Clusters compliant now (their last scan) that the policy would make non-compliant' }) newlyNonCompliantClusters!: number;
  @Field(() => Date, { nullable: true, description: 'When the oldest snapshot used was taken' }) oldestSnapshotAt!: Date | null;
  /** Resolved with `first` by PolicyPreviewResolver. */
  allClusters!: PolicyPreviewClusterModel[];
}
