import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type InspectionStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type InspectionKindName = 'CONFORMANCE_LITE' | 'RBAC_RISK' | 'DEPRECATED_APIS' | 'POD_SECURITY';

export interface StoredInspectionCheck {
  id: string;
  title: string;
  severity: string;
  outcome: string;
  message: string;
}

/** One inspection run of one cluster; its checks are stored whole. */
@Entity('inspections')
export class InspectionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'cluster_id' }) clusterId!: string;
  @Column('text') kind!: InspectionKindName;
  @Column('text') status!: InspectionStatus;
  @Column('int') passed!: number;
  @Column('int') failed!: number;
  @Column('int') warnings!: number;
  @Column('jsonb') checks!: StoredInspectionCheck[];
  @Column('text', { name: 'target_version', nullable: true }) targetVersion!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
}
