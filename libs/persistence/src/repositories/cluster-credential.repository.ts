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

/** A short-lived credential's life; absent for a long-lived (token Secret) credential. */
export interface CredentialLifetime {
  issuedAt: Date;
  expiresAt: Date;
}

/** The stored credential as the worker reads it: the blob and, for a short-lived token, its life and renewal state. */
export interface StoredCredential extends EncryptedBlob {
  life: CredentialLifetime | null;
  renewalFailures: number;
  renewalRetryAt: Date | null;
}

export class ClusterCredentialRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores (or replaces whole) the cluster's credential; `life` null means long-lived. Renewal state starts afresh. */
  async save(tx: EntityManager, organizationId: string, clusterId: string, blob: EncryptedBlob, life: CredentialLifetime | null = null): Promise<void> {
    await tx.query(
      `INSERT INTO cluster_credentials (cluster_id, organization_id, key_id, iv, ciphertext, auth_tag, format, credential_issued_at, credential_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (cluster_id) DO UPDATE SET key_id = EXCLUDED.key_id, iv = EXCLUDED.iv,
         ciphertext = EXCLUDED.ciphertext, auth_tag = EXCLUDED.auth_tag, format = EXCLUDED.format,
         credential_issued_at = EXCLUDED.credential_issued_at, credential_expires_at = EXCLUDED.credential_expires_at,
         renewal_failures = 0, renewal_retry_at = NULL, updated_at = now()`,
      [clusterId, organizationId, blob.keyId, blob.iv, blob.ciphertext, blob.authTag, blob.format ?? 1, life?.issuedAt ?? null, life?.expiresAt ?? null],
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

  async load(organizationId: string, clusterId: string): Promise<StoredCredential | null> {
    const row = await this.db.getRepository(ClusterCredentialEntity).findOneBy({ organizationId, clusterId });
    return row ? ClusterCredentialRepository.stored(row) : null;
  }

  /** The columns `stored` maps, for a query that reads the credential along with something else (a sync reads it with its cluster). */
  static readonly COLUMNS = `k.key_id AS "keyId", k.iv, k.ciphertext, k.auth_tag AS "authTag", k.format, k.credential_issued_at AS "credentialIssuedAt",
    k.credential_expires_at AS "credentialExpiresAt", k.renewal_failures AS "renewalFailures", k.renewal_retry_at AS "renewalRetryAt"`;

  static stored(row: Pick<ClusterCredentialEntity, 'keyId' | 'iv' | 'ciphertext' | 'authTag' | 'format' | 'credentialIssuedAt' | 'credentialExpiresAt' | 'renewalFailures' | 'renewalRetryAt'>): StoredCredential {
    return {
      keyId: row.keyId,
      iv: row.iv,
      ciphertext: row.ciphertext,
      authTag: row.authTag,
      format: row.format === 2 ? 2 : 1,
      life: row.credentialIssuedAt && row.credentialExpiresAt ? { issuedAt: row.credentialIssuedAt, expiresAt: row.credentialExpiresAt } : null,
      renewalFailures: row.renewalFailures ?? 0,
      renewalRetryAt: row.renewalRetryAt ?? null,
    };
  }

  /** When each cluster's stored credential expires (null: long-lived), for the API's `connection` field. */
  async expiriesFor(organizationId: string, clusterIds: readonly string[]): Promise<Map<string, Date | null>> {
    const rows: Array<{ cluster_id: string; credential_expires_at: Date | null }> = await this.db.query(
      `SELECT cluster_id, credential_expires_at FROM cluster_credentials WHERE organization_id = $1 AND cluster_id = ANY($2::uuid[])`,
      [organizationId, clusterIds],
    );
    return new Map(rows.map((r) => [r.cluster_id, r.credential_expires_at]));
  }

  /**
   * Claims the renewal of the credential that was read (by its iv) until `claimUntil`: true for
   * exactly one caller across replicas while the claim holds (and none while a failed renewal's
   * retry time has not come). `now` is the caller's clock, the one its renewal decision used.
   */
  async claimRenewal(organizationId: string, clusterId: string, readIv: Buffer, now: Date, claimUntil: Date): Promise<boolean> {
    const res: [unknown[], number] = await this.db.query(
      `UPDATE cluster_credentials SET renewal_retry_at = $5
        WHERE organization_id = $1 AND cluster_id = $2 AND iv = $3 AND credential_expires_at IS NOT NULL
          AND (renewal_retry_at IS NULL OR renewal_retry_at <= $4)`,
      [organizationId, clusterId, readIv, now, claimUntil],
    );
    return res[1] === 1;
  }

  /**
   * Swaps in the renewed credential, in one statement, only if the row still holds the one the
   * renewal started from (an `attach --update` meanwhile wins). True when replaced.
   */
  async replaceRenewed(organizationId: string, clusterId: string, readIv: Buffer, blob: EncryptedBlob, life: CredentialLifetime): Promise<boolean> {
    const res: [unknown[], number] = await this.db.query(
      `UPDATE cluster_credentials SET key_id = $4, iv = $5, ciphertext = $6, auth_tag = $7, format = $8,
              credential_issued_at = $9, credential_expires_at = $10, renewal_failures = 0, renewal_retry_at = NULL, updated_at = now()
        WHERE organization_id = $1 AND cluster_id = $2 AND iv = $3`,
      [organizationId, clusterId, readIv, blob.keyId, blob.iv, blob.ciphertext, blob.authTag, blob.format ?? 1, life.issuedAt, life.expiresAt],
    );
    return res[1] === 1;
  }

  /** A failed renewal of the credential that was read: counted, and not tried again before `retryAt`. Returns the failure count. */
  async recordRenewalFailure(organizationId: string, clusterId: string, readIv: Buffer, retryAt: Date): Promise<number | null> {
    const rows: [Array<{ renewal_failures: number }>, number] = await this.db.query(
      `UPDATE cluster_credentials SET renewal_failures = renewal_failures + 1, renewal_retry_at = $4
        WHERE organization_id = $1 AND cluster_id = $2 AND iv = $3 RETURNING renewal_failures`,
      [organizationId, clusterId, readIv, retryAt],
    );
    return rows[0][0]?.renewal_failures ?? null;
  }

  /** A detached cluster keeps no credential. */
  async remove(tx: EntityManager, organizationId: string, clusterId: string): Promise<void> {
    await tx.query(`DELETE FROM cluster_credentials WHERE organization_id = $1 AND cluster_id = $2`, [organizationId, clusterId]);
  }
}
