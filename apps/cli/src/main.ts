import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { Env } from './cli-config';
import { CliContext } from './cli-context';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import { registerAdminCommands } from './commands/admin.command';
import { registerClusterCommands } from './commands/cluster.command';
import { registerInspectCommands } from './commands/inspect.command';
import { registerLoginCommands } from './commands/login.command';
import { registerPolicyCommands } from './commands/policy.command';
import { registerScanCommands } from './commands/scan.command';
import { registerUpgradeCommands } from './commands/upgrade.command';
import { Io, processIo } from './output';

function packageVersion(): string {
  // dist/apps/cli/src → the repository (or installed package) root.
  for (const up of ['../../../..', '../../..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('flotilla')
    .description('Flotilla: attach and manage the clusters of your fleet')
    .version(packageVersion())
    // Set before the subcommands are added: commander copies these settings into each of them.
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Configuration: flotilla login stores the API URL and token in $XDG_CONFIG_HOME/flotilla/config.json
(or ~/.config/flotilla/config.json; FLOTILLA_CONFIG overrides the path). FLOTILLA_API_URL and
FLOTILLA_TOKEN override the stored values.
Exit codes: 0 ok, 1 failure, 2 usage error.`,
    );
  registerAdminCommands(program, ctx);
  registerLoginCommands(program, ctx);
  registerClusterCommands(program, ctx);
  registerPolicyCommands(program, ctx);
  registerScanCommands(program, ctx);
  registerUpgradeCommands(program, ctx);
  registerInspectCommands(program, ctx);
  return program;
}

/** Runs one command line (argv without node and script) and returns the exit code. */
export async function run(args: string[], ctx: Partial<CliContext> = {}): Promise<number> {
  const io: Io = ctx.io ?? processIo;
  const env: Env = ctx.env ?? process.env;
  try {
    await buildProgram({ io, env, fetchImpl: ctx.fetchImpl }).parseAsync(args, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    // Commander has already printed its message (and help where relevant).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (err instanceof CliError) {
      io.err(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`error: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}

/** Entry point of bin/flotilla.js. Exits once stdout is flushed (a pipe may still be draining). */
export function main(argv: string[] = process.argv): void {
  void run(argv.slice(2)).then((code) => {
    process.stdout.write('', () => process.exit(code));
  });
}

if (require.main === module) main();
