import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';

interface PgClient {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const names = new Map<string, string>();

/**
 * Runs a hot statement as a named (per-connection prepared) statement: after its first run on a
 * connection only its parameters travel, and PostgreSQL neither parses nor plans it again (the
 * scan's outcome statement is a dozen CTEs, run once per cluster). TypeORM's query() takes only
 * text, so this uses the driver's own client (QueryRunner.connect(), public API): the
 * transaction's when `db` is a transaction's EntityManager, else one borrowed from the pool.
 * Behind a pooler this needs PgBouncer ≥ 1.21 with max_prepared_statements.
 */
export async function preparedQuery<T>(db: DataSource | EntityManager, text: string, values: unknown[]): Promise<T[]> {
  let name = names.get(text);
  if (!name) {
    name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  const inTransaction = db instanceof EntityManager ? db.queryRunner : undefined;
  const runner = inTransaction ?? (db instanceof EntityManager ? db.connection : db).createQueryRunner();
  try {
    const client = (await runner.connect()) as PgClient;
    return (await client.query({ name, text, values })).rows as T[];
  } finally {
    if (!inTransaction) await runner.release();
  }
}
