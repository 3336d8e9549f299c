/** `npm run migrate`: applies pending migrations to DATABASE_URL, creating the database if missing. */
import { ConfigError, loadConfig, redactUrl } from '@flotilla/config';
import { migrate } from '@flotilla/persistence';

async function main() {
  const config = loadConfig();
  const applied = await migrate(config.database.url);
  process.stdout.write(
    applied.length ? `applied ${applied.length} migrations to ${redactUrl(config.database.url)}: ${applied.join(', ')}\n` : `${redactUrl(config.database.url)} is up to date\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `migrate: ${err.message}\n`);
  process.exit(1);
});
