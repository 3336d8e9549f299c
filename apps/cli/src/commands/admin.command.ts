import { Command } from 'commander';
import { CliError } from '../cli-error';
import { CliContext } from '../cli-context';

type BootstrapAdmin = (opts: { databaseUrl: string; organizationName: string }) => Promise<{
  organizationId: string;
  organizationName: string;
  token: string;
}>;

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/flotilla';

/** Loaded only when bootstrapping, so every other command starts without the database stack. */
function loadBootstrapAdmin(): BootstrapAdmin {
  let mod: { bootstrapAdmin?: BootstrapAdmin };
  try {
    // Lazy on purpose (see above); libs/access/src/bootstrap-admin.ts is owned by the access lib.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../../../libs/access/src/bootstrap-admin') as typeof mod;
  } catch (err) {
    throw new CliError(`admin bootstrap is not available in this build (libs/access/src/bootstrap-admin): ${(err as Error).message}`);
  }
  if (typeof mod.bootstrapAdmin !== 'function') throw new CliError('admin bootstrap is not available in this build: bootstrapAdmin is not exported');
  return mod.bootstrapAdmin;
}

export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const admin = program.command('admin').description('administer a Flotilla installation (talks to the database directly)');
  admin
    .command('bootstrap')
    .description('create the organization when missing and print a new ADMIN token (only the token goes to stdout)')
    .requiredOption('--org <name>', 'organization name')
    .addHelpText('after', `\nEnvironment: DATABASE_URL (default ${DEFAULT_DATABASE_URL})\nExample: export FLOTILLA_TOKEN=$(flotilla admin bootstrap --org acme)`)
    .action(async (opts: { org: string }) => {
      const bootstrapAdmin = loadBootstrapAdmin();
      const databaseUrl = ctx.env.DATABASE_URL || DEFAULT_DATABASE_URL;
      let result: Awaited<ReturnType<BootstrapAdmin>>;
      try {
        result = await bootstrapAdmin({ databaseUrl, organizationName: opts.org });
      } catch (err) {
        throw new CliError(`bootstrap failed: ${withoutPassword((err as Error).message, databaseUrl)}`);
      }
      ctx.io.err(`Created an ADMIN token for organization "${result.organizationName}" (${result.organizationId}). It is shown only once: store it safely.\n`);
      ctx.io.out(`${result.token}\n`);
    });
}

/** Driver messages name host and database; make sure they never carry the URL's password. */
function withoutPassword(message: string, databaseUrl: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(databaseUrl).password);
  } catch {
    return message.split(databaseUrl).join('<DATABASE_URL>');
  }
  return password ? message.split(password).join('***') : message;
}
