import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Short-lived cluster credentials (TokenRequest tokens renewed by the worker).
 *
 * - `cluster_credentials.credential_issued_at` / `credential_expires_at`: the stored token's life.
 *   NULL for every existing row: those are long-lived token-Secret tokens, which keep working
 *   (and are never renewed) until the cluster is re-attached with `flotilla cluster attach --update`.
 * - `renewal_failures` / `renewal_retry_at`: consecutive failed renewals and the earliest next
 *   attempt; `renewal_retry_at` is also the claim one worker takes before it renews, so replicas
 *   never renew the same credential twice.
 */
export class ShortLivedCredentials1766000000200 implements MigrationInterface {
  name = 'ShortLivedCredentials1766000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE cluster_credentials
        ADD COLUMN credential_issued_at timestamptz,
        ADD COLUMN credential_expires_at timestamptz,
        ADD COLUMN renewal_failures integer NOT NULL DEFAULT 0,
        ADD COLUMN renewal_retry_at timestamptz,
        ADD CONSTRAINT cluster_credentials_life CHECK ((credential_issued_at IS NULL) = (credential_expires_at IS NULL));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE cluster_credentials
        DROP CONSTRAINT cluster_credentials_life,
        DROP COLUMN renewal_retry_at,
        DROP COLUMN renewal_failures,
        DROP COLUMN credential_expires_at,
        DROP COLUMN credential_issued_at;
    `);
  }
}
