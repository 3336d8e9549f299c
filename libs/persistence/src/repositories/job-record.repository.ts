import { DataSource, EntityManager } from 'typeorm';

/** The durable record of job runs; upserts keyed by the deterministic job id. */
export class JobRecordRepository {
  constructor(private readonly db: DataSource) {}

  async queued(tx: EntityManager, rows: Array<{ id: string; organizationId: string | null; queue: string; jobName: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO jobs (id, organization_id, queue, job_name)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[])
       ON CONFLICT (id) DO NOTHING`,
      [rows.map((r) => r.id), rows.map((r) => r.organizationId), rows.map((r) => r.queue), rows.map((r) => r.jobName)],
    );
  }

  async started(id: string, meta: { organizationId: string | null; queue: string; jobName: string; attempt: number }): Promise<void> {
    await this.db.query(
      `INSERT INTO jobs (id, organization_id, queue, job_name, status, attempts, started_at)
       VALUES ($1, $2, $3, $4, 'RUNNING', $5, now())
       ON CONFLICT (id) DO UPDATE SET status = 'RUNNING', attempts = EXCLUDED.attempts, started_at = now(), error = NULL, finished_at = NULL`,
      [id, meta.organizationId, meta.queue, meta.jobName, meta.attempt],
    );
  }

  async finished(id: string, outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: string }): Promise<void> {
    await this.db.query(`UPDATE jobs SET status = $2, error = $3, finished_at = now() WHERE id = $1`, [id, outcome.status, outcome.error ?? null]);
  }
}
