import { Command, InvalidArgumentError, Option } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { GraphqlClient } from '../graphql-client';
import { emit, formatTable, outputOption, timeAgo } from '../output';
import { findWorkspace } from './workspace.command';

interface ApiToken {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN'];

function parseDays(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 365) throw new InvalidArgumentError('must be a whole number of days from 1 to 365');
  return n;
}

export function registerTokenCommands(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('API tokens of your organization (ADMIN)');

  token
    .command('create')
    .description('issue a new API token; only the token goes to stdout, shown this once')
    .requiredOption('--name <name>', 'what the token is for, e.g. ci-pipeline')
    .addOption(new Option('--role <role>', 'its role').choices(ROLES).default('VIEWER'))
    .option('--expires-in-days <days>', 'lifetime in days (API default 90, at most 365)', parseDays)
    .option('--workspace <workspace>', "restrict the token to one workspace (name or id): it sees and acts on only that workspace's clusters and namespaces")
    .addHelpText('after', '\nExample: export FLOTILLA_TOKEN=$(flotilla token create --name ci --role OPERATOR)')
    .action(async (opts: { name: string; role: string; expiresInDays?: number; workspace?: string }) => {
      const client = apiClient(ctx);
      const workspace = opts.workspace ? await findWorkspace(client, opts.workspace) : undefined;
      const { createApiToken } = await client.request<{ createApiToken: { token: string; apiToken: { id: string; name: string; role: string; expiresAt: string | null } } }>(
        'CreateApiToken',
        { input: { name: opts.name, role: opts.role, ...(opts.expiresInDays ? { expiresInDays: opts.expiresInDays } : {}), ...(workspace ? { workspaceId: workspace.id } : {}) } },
      );
      const t = createApiToken.apiToken;
      const where = workspace ? `, restricted to workspace ${workspace.name}` : '';
      ctx.io.err(`Issued ${t.role} token ${t.name} (${t.id})${where}, expires ${t.expiresAt ?? 'never'}. It is shown only once: store it safely.\n`);
      ctx.io.out(`${createApiToken.token}\n`);
    });

  token
    .command('list')
    .description('list the tokens (never their secret): role, last use, expiry, revocation')
    .option('--all', 'include revoked and expired tokens')
    .addOption(outputOption())
    .action(async (opts: { all?: boolean; output: string }) => {
      const now = new Date();
      const tokens = (await listTokens(apiClient(ctx))).filter((t) => opts.all || isUsable(t, now));
      emit(ctx.io, opts.output, tokens, () =>
        formatTable(
          ['NAME', 'ROLE', 'ID', 'CREATED', 'LAST USED', 'EXPIRES', 'STATE'],
          tokens.map((t) => [t.name, t.role, t.id, timeAgo(t.createdAt, now), timeAgo(t.lastUsedAt, now), t.expiresAt, state(t, now)]),
        ),
      );
    });

  token
    .command('revoke')
    .description('revoke a token at once (by id, or by name when one live token has it)')
    .argument('<token>', 'token id or name')
    .action(async (target: string) => {
      const client = apiClient(ctx);
      const now = new Date();
      const tokens = await listTokens(client);
      const byId = tokens.find((t) => t.id === target);
      const byName = tokens.filter((t) => t.name === target && isUsable(t, now));
      if (!byId && byName.length > 1) {
        throw new CliError(`${byName.length} live tokens are named ${JSON.stringify(target)}: revoke one by id (${byName.map((t) => t.id).join(', ')})`);
      }
      const found = byId ?? byName[0];
      if (!found) throw new CliError(`no live token with id or name ${JSON.stringify(target)} (see flotilla token list --all)`);
      const { revokeApiToken } = await client.request<{ revokeApiToken: { id: string; revokedAt: string } }>('RevokeApiToken', { id: found.id });
      ctx.io.out(`token/${found.name} revoked (${revokeApiToken.id}) at ${revokeApiToken.revokedAt}\n`);
    });
}

async function listTokens(client: GraphqlClient): Promise<ApiToken[]> {
  return (await client.request<{ apiTokens: ApiToken[] }>('ApiTokens')).apiTokens;
}

function isUsable(t: ApiToken, now: Date): boolean {
  return !t.revokedAt && (!t.expiresAt || Date.parse(t.expiresAt) > now.getTime());
}

function state(t: ApiToken, now: Date): string {
  if (t.revokedAt) return 'revoked';
  return isUsable(t, now) ? 'active' : 'expired';
}
