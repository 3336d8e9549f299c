import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type Role = 'ADMIN' | 'OPERATOR' | 'VIEWER';

/** Only the SHA-256 of a token is stored; `tokenPrefix` finds the row without scanning. */
@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') name!: string;
  @Column('text') role!: Role;
  @Column('text', { name: 'token_prefix' }) tokenPrefix!: string;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  /** A token restricted to one workspace (its clusters and namespaces); null: the whole organization. */
  @Column('uuid', { name: 'workspace_id', nullable: true }) workspaceId!: string | null;
}
