import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { Env } from './cli-config';
import { CliContext } from './cli-context';
import { CliError, EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import { bashCompletion, zshCompletion } from './completion';
import { registerAdminCommands } from './commands/admin.command';
import { registerAgentCommands } from './commands/agent.command';
import { registerCampaignCommands } from './commands/campaign.command';
import { registerClusterCommands } from './commands/cluster.command';
import { registerExceptionCommands } from './commands/exception.command';
import { registerGroupCommands } from './commands/group.command';
import { registerInspectCommands } from './commands/inspect.command';
import { registerLoginCommands } from './commands/login.command';
import { registerPolicyCommands } from './commands/policy.command';
import { registerScanCommands } from './commands/scan.command';
import { registerScheduleCommands } from './commands/schedule.command';
import { registerTokenCommands } from './commands/token.command';
import { registerWebhookCommands } from './commands/webhook.command';
import { registerUpgradeCommands } from './commands/upgrade.command';
import { registerWorkspaceCommands } from './commands/workspace.command';
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
${EXIT_CODES_HELP}
Shell completion: source <(flotilla completion bash)   (or zsh)`,
    );
  registerAdminCommands(program, ctx);
  registerLoginCommands(program, ctx);
  registerClusterCommands(program, ctx);
  registerPolicyCommands(program, ctx);
  registerScanCommands(program, ctx);
  registerExceptionCommands(program, ctx);
  registerUpgradeCommands(program, ctx);
  registerInspectCommands(program, ctx);
  registerGroupCommands(program, ctx);
  registerTokenCommands(program, ctx);
  registerScheduleCommands(program, ctx);
  registerAgentCommands(program, ctx);
  registerWorkspaceCommands(program, ctx);
  registerCampaignCommands(program, ctx);
  registerWebhookCommands(program, ctx);
  program
    .command('completion')
    .description('print a shell completion script (commands, subcommands, flags and their choices)')
    .argument('<shell>', 'bash or zsh')
    .addHelpText('after', '\nbash: source <(flotilla completion bash)   zsh: source <(flotilla completion zsh)  (after compinit)')
    .action((shell: string) => {
      if (shell === 'bash') return ctx.io.out(bashCompletion(program));
      if (shell === 'zsh') return ctx.io.out(zshCompletion(program));
      throw new CliError(`no completion for ${JSON.stringify(shell)}: bash or zsh`, EXIT_USAGE);
    });
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
