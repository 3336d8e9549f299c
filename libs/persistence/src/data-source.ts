import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { ApiTokenEntity } from './entities/api-token.entity';
import { AuditEventEntity } from './entities/audit-event.entity';
import { ClusterCredentialEntity } from './entities/cluster-credential.entity';
import { ClusterGroupEntity } from './entities/cluster-group.entity';
import { ClusterEntity } from './entities/cluster.entity';
import { JobRecordEntity } from './entities/job-record.entity';
import { OrganizationEntity } from './entities/organization.entity';
import { OutboxMessageEntity } from './entities/outbox-message.entity';
import { ALL_MIGRATIONS } from '../../../migrations';
import { EXTRA_ENTITIES } from './extra-entities';

export const ENTITIES = [
  OrganizationEntity,
  ApiTokenEntity,
  ClusterGroupEntity,
  ClusterEntity,
  ClusterCredentialEntity,
  AuditEventEntity,
  OutboxMessageEntity,
  JobRecordEntity,
  ...EXTRA_ENTITIES,
];

export function createDataSource(url: string, opts: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    extra: { max: opts.poolSize ?? 10, application_name: opts.applicationName ?? 'flotilla' },
  });
}

/** Creates the database named in `url` when it does not exist (needs rights on the `postgres` database). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`database name must be letters, digits, _ or -`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } catch (err) {
    // Another process may have created it between the check and the create.
    if ((err as { code?: string }).code === '42P04') return false;
    throw err;
  } finally {
    await client.end();
  }
}

/** Applies pending migrations; safe to run from several processes at once (advisory lock). */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const ds = createDataSource(url, { poolSize: 2, applicationName: 'flotilla-migrate' });
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(727274)');
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await ds.query('SELECT pg_advisory_unlock(727274)');
    }
  } finally {
    await ds.destroy();
  }
}
