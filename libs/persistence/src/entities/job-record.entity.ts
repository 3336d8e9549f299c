import { Column, Entity, PrimaryColumn } from 'typeorm';

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** The durable record of every job run, keyed by the deterministic BullMQ job id. */
@Entity('jobs')
export class JobRecordEntity {
  @PrimaryColumn('text') id!: string;
  @Column('uuid', { name: 'organization_id', nullable: true }) organizationId!: string | null;
  @Column('text') queue!: string;
  @Column('text', { name: 'job_name' }) jobName!: string;
  @Column('text') status!: JobStatus;
  @Column('int') attempts!: number;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
}
