/** `npm run schema`: regenerates apps/api/schema.graphql from the code-first resolvers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@flotilla/config';
import { createApiApp, printServedSchema } from '../apps/api/src/api-app.factory';
import { repoRoot } from '@flotilla/testing';
import { migrate } from '@flotilla/persistence';

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'error' });
  await migrate(config.database.url);
  const app = await createApiApp(config);
  await app.init();
  const file = join(repoRoot(), 'apps/api/schema.graphql');
  writeFileSync(file, printServedSchema(app));
  await app.close();
  process.stdout.write(`wrote ${file}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`print-schema: ${err.message}\n`);
  process.exit(1);
});
