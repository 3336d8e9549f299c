import { DataSource, EntityManager } from 'typeorm';
import { ClusterCredentialEntity } from '../entities/cluster-credential.entity';

export interface EncryptedBlob {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

export class ClusterCredentialRepository {
  constructor(private readonly db: DataSource) {}

  async save(tx: EntityManager, organizationId: string, clusterId: string, blob: EncryptedBlob): Promise<void> {
    await tx.query(
      `INSERT INTO cluster_credentials (cluster_id, organization_id, key_id, iv, ciphertext, auth_tag)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (cluster_id) DO UPDATE SET key_id = EXCLUDED.key_id, iv = EXCLUDED.iv,
         ciphertext = EXCLUDED.ciphertext, auth_tag = EXCLUDED.auth_tag, updated_at = now()`,
      [clusterId, organizationId, blob.keyId, blob.iv, blob.ciphertext, blob.authTag],
    );
  }

  async load(organizationId: string, clusterId: string): Promise<EncryptedBlob | null> {
    const row = await this.db.getRepository(ClusterCredentialEntity).findOneBy({ organizationId, clusterId });
    return row ? { keyId: row.keyId, iv: row.iv, ciphertext: row.ciphertext, authTag: row.authTag } : null;
  }

  /** A detached cluster keeps no credential. */
  async remove(tx: EntityManager, organizationId: string, clusterId: string): Promise<void> {
    await tx.query(`DELETE FROM cluster_credentials WHERE organization_id = $1 AND cluster_id = $2`, [organizationId, clusterId]);
  }
}
