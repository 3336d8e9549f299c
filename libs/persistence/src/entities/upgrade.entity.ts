import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type UpgradeStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type UpgradePhase = 'PREFLIGHT' | 'CONTROL_PLANE' | 'WORKERS' | 'VERIFYING' | 'DONE';

/** One requested Kubernetes upgrade of a Cluster API managed cluster. */
@Entity('upgrades')
export class UpgradeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'cluster_id' }) clusterId!: string;
  @Column('text', { name: 'from_version' }) fromVersion!: string;
  @Column('text', { name: 'to_version' }) toVersion!: string;
  @Column('text') status!: UpgradeStatus;
  @Column('text') phase!: UpgradePhase;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('text', { nullable: true }) progress!: string | null;
  @Column('jsonb', { name: 'preflight_reasons', nullable: true }) preflightReasons!: string[] | null;
  @Column('uuid', { name: 'management_cluster_id', nullable: true }) managementClusterId!: string | null;
  @Column('text', { name: 'management_namespace', nullable: true }) managementNamespace!: string | null;
  @Column('text', { name: 'management_name', nullable: true }) managementName!: string | null;
  @Column('text', { name: 'patched_version', nullable: true }) patchedVersion!: string | null;
  @Column('timestamptz', { name: 'patched_at', nullable: true }) patchedAt!: Date | null;
  @Column('timestamptz', { name: 'deadline_at', nullable: true }) deadlineAt!: Date | null;
  @Column('timestamptz', { name: 'last_progress_at', nullable: true }) lastProgressAt!: Date | null;
  @Column('int', { name: 'follow_seq' }) followSeq!: number;
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
