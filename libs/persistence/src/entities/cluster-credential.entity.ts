import { Column, Entity, PrimaryColumn } from 'typeorm';

/** AES-256-GCM ciphertext of the cluster's token and CA. Never mapped to a GraphQL model. */
@Entity('cluster_credentials')
export class ClusterCredentialEntity {
  @PrimaryColumn('uuid', { name: 'cluster_id' }) clusterId!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text', { name: 'key_id' }) keyId!: string;
  @Column('bytea') iv!: Buffer;
  @Column('bytea') ciphertext!: Buffer;
  @Column('bytea', { name: 'auth_tag' }) authTag!: Buffer;
  /** 1: legacy (no associated data); 2: bound to cluster id + API server URL. */
  @Column('smallint') format!: number;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  /** The stored token's life; both null for a long-lived (token Secret) credential. */
  @Column('timestamptz', { name: 'credential_issued_at', nullable: true }) credentialIssuedAt!: Date | null;
  @Column('timestamptz', { name: 'credential_expires_at', nullable: true }) credentialExpiresAt!: Date | null;
  @Column('integer', { name: 'renewal_failures' }) renewalFailures!: number;
  @Column('timestamptz', { name: 'renewal_retry_at', nullable: true }) renewalRetryAt!: Date | null;
}
