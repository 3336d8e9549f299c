import { createDataSource, ApiTokenRepository, AuditRepository, OrganizationRepository, migrate } from '@flotilla/persistence';
import { displayName } from '@flotilla/validation';
import { issueToken } from './api-token.codec';

const BOOTSTRAP_TOKEN_DAYS = 90;

/**
 * `flotilla admin bootstrap --org NAME`: the organization (created when missing, after applying
 * migrations) and a fresh ADMIN token, shown once. Talks to the database directly because no
 * token exists yet to call the API with.
 */
export async function bootstrapAdmin(opts: { databaseUrl: string; organizationName: string }): Promise<{
  organizationId: string;
  organizationName: string;
  token: string;
}> {
  // The same rule as every other user-given name (1 to 100 characters, no control or bidi characters).
  const name = displayName(opts.organizationName, 'organization name', 100);
  await migrate(opts.databaseUrl);
  const db = createDataSource(opts.databaseUrl, { poolSize: 2, applicationName: 'flotilla-bootstrap' });
  await db.initialize();
  try {
    return await db.transaction(async (tx) => {
      const org = await new OrganizationRepository(db).findOrCreateByName(tx, name);
      const issued = issueToken();
      const row = await new ApiTokenRepository(db).create(tx, org.id, {
        name: 'bootstrap-admin',
        role: 'ADMIN',
        tokenPrefix: issued.prefix,
        tokenHash: issued.hash,
        createdBy: 'bootstrap',
        expiresAt: new Date(Date.now() + BOOTSTRAP_TOKEN_DAYS * 86_400_000),
      });
      await new AuditRepository(db).record(tx, org.id, {
        actor: 'bootstrap',
        action: 'apiToken.create',
        targetType: 'ApiToken',
        targetId: row.id,
        details: { role: 'ADMIN', via: 'admin bootstrap' },
      });
      return { organizationId: org.id, organizationName: org.name, token: issued.token };
    });
  } finally {
    await db.destroy();
  }
}
