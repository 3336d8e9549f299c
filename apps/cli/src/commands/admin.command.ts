import { Command } from 'commander';
import { CliContext } from '../cli-context';
import { CliError } from '../cli-error';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/flotilla';

export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const admin = program.command('admin').description('administer a Flotilla installation (talks to the database directly)');
  admin
    .command('bootstrap')
    .description('create the organization when missing and print a new ADMIN token (only the token goes to stdout)')
    .requiredOption('--org <name>', 'organization name')
    .addHelpText('after', `\nEnvironment: DATABASE_URL (default ${DEFAULT_DATABASE_URL})\nExample: export FLOTILLA_TOKEN=$(flotilla admin bootstrap --org acme)`)
    .action(async (opts: { org: string }) => {
      // Imported here, not at the top: only this command needs the database stack (TypeORM, pg),
      // and every other command starts faster without it.
      const { bootstrapAdmin } = await import('@flotilla/access/bootstrap-admin');
      const databaseUrl = ctx.env.DATABASE_URL || DEFAULT_DATABASE_URL;
      let result: Awaited<ReturnType<typeof bootstrapAdmin>>;
      try {
        result = await bootstrapAdmin({ databaseUrl, organizationName: opts.org });
      } catch (err) {
        throw new CliError(`bootstrap failed: ${withoutPassword((err as Error).message, databaseUrl)}`);
      }
      ctx.io.err(`Issued a new ADMIN token for organization "${result.organizationName}" (${result.organizationId}). It is shown only once: store it safely.\n`);
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
