import { DataSource, EntityManager } from 'typeorm';

export interface ScanScheduleRow {
  organizationId: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
}

const COLUMNS = `organization_id AS "organizationId", cron, timezone, enabled, next_run_at AS "nextRunAt", last_run_at AS "lastRunAt"`;

/** One compliance-scan schedule per organization; PostgreSQL is the clock that workers claim from. */
export class ScanScheduleRepository {
  constructor(private readonly db: DataSource) {}

  async find(organizationId: string): Promise<ScanScheduleRow | null> {
    const rows: ScanScheduleRow[] = await this.db.query(`SELECT ${COLUMNS} FROM scan_schedules WHERE organization_id = $1`, [organizationId]);
    return rows[0] ?? null;
  }

  async upsert(
    tx: EntityManager,
    organizationId: string,
    s: { cron: string; timezone: string; enabled: boolean; nextRunAt: Date | null },
  ): Promise<ScanScheduleRow> {
    const rows: ScanScheduleRow[] = await tx.query(
      `INSERT INTO scan_schedules (organization_id, cron, timezone, enabled, next_run_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organization_id) DO UPDATE SET cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, enabled = EXCLUDED.enabled,
              next_run_at = EXCLUDED.next_run_at, updated_at = now()
       RETURNING ${COLUMNS}`,
      [organizationId, s.cron, s.timezone, s.enabled, s.nextRunAt],
    );
    return rows[0];
  }

  /**
   * Locks up to `limit` enabled schedules that are due, across organizations; SKIP LOCKED lets
   * several workers claim at once without taking the same row. The caller moves each one on with
   * `advance` in the same transaction.
   */
  async claimDue(tx: EntityManager, limit: number): Promise<ScanScheduleRow[]> {
    return tx.query(
      `SELECT ${COLUMNS} FROM scan_schedules WHERE enabled AND next_run_at <= now() ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async advance(tx: EntityManager, organizationId: string, ranAt: Date, nextRunAt: Date | null): Promise<void> {
    await tx.query(`UPDATE scan_schedules SET last_run_at = $2, next_run_at = $3 WHERE organization_id = $1`, [organizationId, ranAt, nextRunAt]);
  }
}
