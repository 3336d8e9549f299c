import { Command, Option } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { findClusterByName, resolveGroupId } from '../cluster-lookup';
import { parseExpiry } from '../exception-expiry';
import { GraphqlClient } from '../graphql-client';
import { emit, formatFields, formatTable, outputOption } from '../output';

const STATUSES = ['REQUESTED', 'APPROVED', 'REJECTED', 'REVOKED', 'EXPIRED'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ExceptionRow {
  id: string;
  policy: { id: string; name: string };
  target: { clusterId: string | null; groupId: string | null; namespace: string | null; kind: string | null; name: string | null };
  reason: string;
  ticket: string | null;
  status: string;
  requestedBy: string;
  approvedBy: string | null;
  expiresAt: string;
}

interface RequestOptions {
  policy: string;
  cluster?: string;
  group?: string;
  namespace?: string;
  kind?: string;
  name?: string;
  reason: string;
  ticket?: string;
  expires: string;
  output: string;
}

export function registerExceptionCommands(program: Command, ctx: CliContext): void {
  const exception = program.command('exception').description('policy exceptions: waive a policy for a target until an expiry, once another ADMIN approves');
  exception
    .command('request')
    .description('request an exception (OPERATOR or ADMIN); it applies once another ADMIN approves it')
    .requiredOption('--policy <policy>', 'the policy (name or id)')
    .option('--cluster <cluster>', 'only on this cluster (name or id)')
    .option('--group <group>', 'only on the clusters of this group (name or id)')
    .option('--namespace <namespace>', 'only in this namespace (its objects and the Namespace itself)')
    .option('--kind <kind>', 'one object: its kind (with --name)')
    .option('--name <name>', 'one object: its name (with --kind; --namespace for a namespaced kind)')
    .requiredOption('--reason <text>', 'why the policy is waived')
    .option('--ticket <ref>', 'a ticket reference')
    .requiredOption('--expires <when>', 'when it stops applying: a date (2026-03-31) or days from now (30d); at most 365 days')
    .addOption(outputOption())
    .action(async (opts: RequestOptions) => {
      const client = apiClient(ctx);
      const policyId = await resolvePolicyId(client, opts.policy);
      const clusterId = opts.cluster ? (UUID.test(opts.cluster) ? opts.cluster : (await findClusterByName(client, opts.cluster)).id) : undefined;
      const groupId = opts.group ? await resolveGroupId(client, opts.group) : undefined;
      const target = { clusterId, groupId, namespace: opts.namespace, kind: opts.kind, name: opts.name };
      const input = { policyId, target, reason: opts.reason, ticket: opts.ticket, expiresAt: parseExpiry(opts.expires).toISOString() };
      const { requestPolicyException: e } = await client.request<{ requestPolicyException: { id: string; status: string; expiresAt: string } }>('RequestPolicyException', { input });
      emit(ctx.io, opts.output, e, () => `exception/${e.id} ${e.status.toLowerCase()} (expires ${e.expiresAt}); another ADMIN approves it with flotilla exception approve ${e.id}\n`);
    });

  exception
    .command('approve')
    .description('approve a requested exception (an ADMIN other than the requester)')
    .argument('<id>', 'exception id')
    .addOption(outputOption())
    .action(async (id: string, opts: { output: string }) => {
      const { approvePolicyException: e } = await apiClient(ctx).request<{ approvePolicyException: { id: string; status: string; approvedBy: string; expiresAt: string } }>(
        'ApprovePolicyException',
        { id },
      );
      emit(ctx.io, opts.output, e, () => `exception/${e.id} ${e.status.toLowerCase()} by ${e.approvedBy} until ${e.expiresAt}\n`);
    });

  exception
    .command('revoke')
    .description('revoke an exception: it stops applying at the next scan')
    .argument('<id>', 'exception id')
    .addOption(outputOption())
    .action(async (id: string, opts: { output: string }) => {
      const { revokePolicyException: e } = await apiClient(ctx).request<{ revokePolicyException: { id: string; status: string } }>('RevokePolicyException', { id });
      emit(ctx.io, opts.output, e, () => `exception/${e.id} ${e.status.toLowerCase()}\n`);
    });

  exception
    .command('list')
    .description('policy exceptions, newest first')
    .addOption(new Option('--status <status...>', 'only these statuses').choices(STATUSES))
    .addOption(outputOption())
    .action(async (opts: { status?: string[]; output: string }) => {
      const { policyExceptions: rows } = await apiClient(ctx).request<{ policyExceptions: ExceptionRow[] }>('PolicyExceptions', { status: opts.status ?? null });
      if (rows.length === 0 && opts.output === 'table') return ctx.io.err('No policy exceptions: request one with flotilla exception request\n');
      emit(ctx.io, opts.output, rows, () =>
        rows.length === 1
          ? formatFields([
              ['Exception', rows[0].id],
              ['Policy', rows[0].policy.name],
              ['Target', describeTarget(rows[0].target)],
              ['Status', rows[0].status],
              ['Reason', rows[0].reason],
              ['Ticket', rows[0].ticket],
              ['Requested by', rows[0].requestedBy],
              ['Approved by', rows[0].approvedBy],
              ['Expires', rows[0].expiresAt],
            ])
          : formatTable(
              ['ID', 'POLICY', 'TARGET', 'STATUS', 'EXPIRES', 'REQUESTED BY', 'APPROVED BY'],
              rows.map((e) => [e.id, e.policy.name, describeTarget(e.target), e.status, e.expiresAt, e.requestedBy, e.approvedBy ?? '-']),
            ),
      );
    });
}

function describeTarget(t: ExceptionRow['target']): string {
  const parts = [
    t.clusterId ? `cluster ${t.clusterId}` : null,
    t.groupId ? `group ${t.groupId}` : null,
    t.kind ? `${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}` : t.namespace ? `namespace ${t.namespace}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'everywhere';
}

async function resolvePolicyId(client: GraphqlClient, policy: string): Promise<string> {
  const { policies } = await client.request<{ policies: Array<{ id: string; name: string }> }>('Policies');
  const found = policies.find((p) => p.name === policy) ?? policies.find((p) => p.id === policy);
  if (!found) throw new CliError(`no policy named ${JSON.stringify(policy)} in this organization (see flotilla policy list)`);
  return found.id;
}
