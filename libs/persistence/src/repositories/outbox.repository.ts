import { DataSource, EntityManager } from 'typeorm';

export interface OutboxMessage {
  queue: string;
  jobName: string;
  jobId: string;
  payload: Record<string, unknown>;
}

export interface ClaimedOutboxMessage extends OutboxMessage {
  id: string;
}

export class OutboxRepository {
  constructor(private readonly db: DataSource) {}

  /** Must be called with the transaction that writes the rows the job is about. */
  async add(tx: EntityManager, messages: OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // One statement for any number of messages (a scan of 10,000 clusters writes 10,000).
    await tx.query(
      `INSERT INTO outbox (queue, job_name, job_id, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])`,
      [messages.map((m) => m.queue), messages.map((m) => m.jobName), messages.map((m) => m.jobId), messages.map((m) => JSON.stringify(m.payload))],
    );
  }

  /**
   * Hands a batch of unsent messages to `send` and marks them sent in the same transaction.
   * SKIP LOCKED lets several relays run; if `send` throws, nothing is marked and the batch is
   * retried later (BullMQ ignores a job id it already has, so a resend is harmless).
   */
  async relayBatch(limit: number, send: (messages: ClaimedOutboxMessage[]) => Promise<void>): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows: Array<{ id: string; queue: string; job_name: string; job_id: string; payload: Record<string, unknown> }> = await tx.query(
        `SELECT id, queue, job_name, job_id, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await send(rows.map((r) => ({ id: r.id, queue: r.queue, jobName: r.job_name, jobId: r.job_id, payload: r.payload })));
      await tx.query(`UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  async countUnsent(): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(`SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL`);
    return rows[0].n;
  }

  /** Sent messages are kept a while for debugging, then pruned. */
  async pruneSent(olderThanHours: number): Promise<number> {
    const res: [unknown[], number] = await this.db.query(
      `DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(hours => $1)`,
      [olderThanHours],
    );
    return res[1];
  }
}
