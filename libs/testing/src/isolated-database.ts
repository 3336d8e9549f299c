import { Client } from 'pg';

/**
 * A database and queue prefix of a test file's own, beside the run's (`<run db>_<suffix>`).
 * Every worker booted in a run relays the shared outbox and takes jobs from the shared queue
 * prefix, with its own encryption key: a file whose jobs must run on its own workers (cluster
 * credentials, exact counts) isolates itself with this. `drop()` removes the database.
 */
export function isolatedEnv(suffix: string): { env: Record<string, string>; drop: () => Promise<void> } {
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flotilla');
  const name = `${base.pathname.replace(/^\//, '')}_${suffix}`.slice(0, 63);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  const prefix = `${process.env.FLOTILLA_QUEUE_PREFIX ?? 'flotilla-test'}-${suffix}`;
  return {
    env: { DATABASE_URL: url.toString(), FLOTILLA_QUEUE_PREFIX: prefix },
    drop: async () => {
      const admin = new URL(base.toString());
      admin.pathname = '/postgres';
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
