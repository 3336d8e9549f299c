import { Command, Option } from 'commander';
import { configPath, writeConfigFile } from '../cli-config';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { GraphqlClient } from '../graphql-client';
import { emit, outputOption } from '../output';

export interface WhoAmI {
  viewer: { role: string; organization: { id: string; name: string } };
}

export function registerLoginCommands(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description(`verify an API token and store it in ${configPath(ctx.env)} (mode 0600)`)
    .requiredOption('--api <url>', 'the Flotilla API, e.g. http://127.0.0.1:4000 (requests go to <url>/graphql)')
    .addOption(new Option('--token <token>', 'API token; "-" reads it from stdin (keeps it out of shell history)').makeOptionMandatory())
    .action(async (opts: { api: string; token: string }) => {
      const token = opts.token === '-' ? (await readStdin()).trim() : opts.token.trim();
      if (!token) throw new CliError('the token is empty');
      const client = new GraphqlClient({ api: opts.api, token, fetchImpl: ctx.fetchImpl });
      const { viewer } = await client.request<WhoAmI>('CliWhoAmI');
      const path = configPath(ctx.env);
      writeConfigFile(path, { api: opts.api, token });
      ctx.io.out(`Logged in to ${opts.api} as ${viewer.role} of organization "${viewer.organization.name}" (config: ${path})\n`);
    });

  program
    .command('whoami')
    .description('show the role and organization of the current token')
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const { viewer } = await apiClient(ctx).request<WhoAmI>('CliWhoAmI');
      emit(ctx.io, opts.output, viewer, () =>
        `role: ${viewer.role}\norganization: ${viewer.organization.name} (${viewer.organization.id})\n`,
      );
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
