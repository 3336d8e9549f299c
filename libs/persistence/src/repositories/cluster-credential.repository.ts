import { DataSource, EntityManager } from 'typeorm';
import { ClusterCredentialEntity } from '../entities/cluster-credential.entity';

export interface EncryptedBlob {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
  /** 1: legacy, not bound to the cluster's URL; 2: bound (AES-GCM associated data). */
  format?: 1 | 2;
}

export class ClusterCredentialRepository {
  constructor(private readonly db: DataSource) {}

  async save(tx: EntityManager, organizationId: string, clusterId: string, blob: EncryptedBlob): Promise<void> {
    await tx.query(
      `INSERT INTO cluster_credentials (cluster_id, organization_id, key_id, iv, ciphertext, auth_tag, format)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (cluster_id) DO UPDATE SET key_id = EXCLUDED.key_id, iv = EXCLUDED.iv,
         ciphertext = EXCLUDED.ciphertext, auth_tag = EXCLUDED.auth_tag, format = EXCLUDED.format, updated_at = now()`,
      [clusterId, organizationId, blob.keyId, blob.iv, blob.ciphertext, blob.authTag, blob.format ?? 1],
    );
  }

  /**
   * Replaces a legacy ciphertext with its bound re-encryption, only if the row still holds the one
   * that was read (a credential rotated meanwhile is never overwritten). True when replaced.
   */
  async replaceLegacy(organizationId: string, clusterId: string, readIv: Buffer, blob: EncryptedBlob): Promise<boolean> {
    const res: [unknown[], number] = await this.db.query(
      `UPDATE cluster_credentials SET key_id = $4, iv = $5, ciphertext = $6, auth_tag = $7, format = $8, updated_at = now()
        WHERE organization_id = $1 AND cluster_id = $2 AND iv = $3 AND format = 1`,
      [organizationId, clusterId, readIv, blob.keyId, blob.iv, blob.ciphertext, blob.authTag, blob.format ?? 1],
    );
    return res[1] === 1;
  }

  async load(organizationId: string, clusterId: string): Promise<EncryptedBlob | null> {
    const row = await this.db.getRepository(ClusterCredentialEntity).findOneBy({ organizationId, clusterId });
    return row ? { keyId: row.keyId, iv: row.iv, ciphertext: row.ciphertext, authTag: row.authTag, format: row.format === 2 ? 2 : 1 } : null;
  }

  /** A detached cluster keeps no credential. */
  async remove(tx: EntityManager, organizationId: string, clusterId: string): Promise<void> {
    await tx.query(`DELETE FROM cluster_credentials WHERE organization_id = $1 AND cluster_id = $2`, [organizationId, clusterId]);
  }
}
