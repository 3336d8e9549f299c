import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ClusterStatus = 'PENDING' | 'CONNECTED' | 'DEGRADED' | 'UNREACHABLE' | 'DETACHED';
export type ConnectionMode = 'DIRECT' | 'AGENT';
export type Provider = 'VSPHERE' | 'EKS' | 'GKE' | 'AKS' | 'OPENSHIFT' | 'GENERIC';

@Entity('clusters')
export class ClusterEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') name!: string;
  @Column('text') provider!: Provider;
  @Column('text', { nullable: true }) region!: string | null;
  @Column('text', { name: 'api_server_url' }) apiServerUrl!: string;
  @Column('text') status!: ClusterStatus;
  @Column('text', { name: 'status_reason', nullable: true }) statusReason!: string | null;
  @Column('text', { name: 'kubernetes_version', nullable: true }) kubernetesVersion!: string | null;
  @Column('text', { name: 'version_key' }) versionKey!: string;
  @Column('int', { name: 'node_count' }) nodeCount!: number;
  @Column('int', { name: 'ready_node_count' }) readyNodeCount!: number;
  @Column('jsonb') labels!: Record<string, string>;
  @Column('uuid', { name: 'group_id', nullable: true }) groupId!: string | null;
  @Column('timestamptz', { name: 'attached_at' }) attachedAt!: Date;
  @Column('timestamptz', { name: 'last_seen_at', nullable: true }) lastSeenAt!: Date | null;
  @Column('timestamptz', { name: 'detached_at', nullable: true }) detachedAt!: Date | null;
  @Column('int', { name: 'consecutive_failures' }) consecutiveFailures!: number;
  @Column('timestamptz', { name: 'next_sync_at', nullable: true }) nextSyncAt!: Date | null;
  @Column('uuid', { name: 'management_cluster_id', nullable: true }) managementClusterId!: string | null;
  @Column('text', { name: 'management_namespace', nullable: true }) managementNamespace!: string | null;
  @Column('text', { name: 'management_name', nullable: true }) managementName!: string | null;
  /** ClusterRoles the agent may bind (set at attach); null: attached before bind was narrowed (any role). */
  @Column('text', { name: 'bindable_roles', array: true, nullable: true }) bindableRoles!: string[] | null;
  /** DIRECT: dialled with a stored credential; AGENT: reached through its outbound agent (no stored credential). */
  @Column('text', { name: 'connection_mode' }) connectionMode!: ConnectionMode;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
