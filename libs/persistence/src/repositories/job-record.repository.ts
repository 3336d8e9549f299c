import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../prepared-query';

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

  /**
   * A whole run in one write (no RUNNING step), for a job whose handler records its run itself in
   * the statement that commits its work (`recordRunCte`), used when the handler did not get to.
   */
  async ran(run: JobRun, outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: string }): Promise<void> {
    await preparedQuery(this.db, `WITH ${recordRunCte(1)} SELECT 1`, runParameters(run, outcome));
  }
}

/** One run of a job, as its durable record keeps it. */
export interface JobRun {
  jobId: string;
  organizationId: string | null;
  queue: string;
  jobName: string;
  attempt: number;
  startedAt: Date;
}

/**
 * A CTE `job_run` that upserts a finished run, over the eight parameters from `$first` on
 * (`runParameters`), so that a repository's statement can commit a job's record with its work.
 * With no run (a handler called directly) the parameters are null and it writes nothing.
 */
export function recordRunCte(first: number): string {
  const $ = (i: number) => `$${first + i}`;
  return `job_run AS (
    INSERT INTO jobs AS j (id, organization_id, queue, job_name, status, attempts, started_at, finished_at, error)
    SELECT ${$(0)}::text, ${$(1)}::uuid, ${$(2)}::text, ${$(3)}::text, ${$(6)}::text, ${$(4)}::int, ${$(5)}::timestamptz, statement_timestamp(), ${$(7)}::text
     WHERE ${$(0)}::text IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts, started_at = EXCLUDED.started_at,
           finished_at = EXCLUDED.finished_at, error = EXCLUDED.error
    RETURNING 1)`;
}

export function runParameters(run: JobRun | null | undefined, outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: string }): unknown[] {
  if (!run) return [null, null, null, null, null, null, null, null];
  return [run.jobId, run.organizationId, run.queue, run.jobName, run.attempt, run.startedAt, outcome.status, outcome.error ?? null];
}
