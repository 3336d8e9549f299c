import { Command, InvalidArgumentError, Option } from 'commander';
import { GraphqlClient } from '../graphql-client';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { findClusterByName } from '../cluster-lookup';
import { TERMINAL_JOB_STATUSES, parseSeconds, waitForJob } from '../job-waiter';
import { emit, formatTable, outputOption } from '../output';

export const INSPECTION_KINDS = ['CONFORMANCE_LITE', 'RBAC_RISK', 'DEPRECATED_APIS', 'POD_SECURITY'];

interface Inspection {
  id: string;
  kind: string;
  status: string;
  error: string | null;
  targetVersion: string | null;
  cluster: { id: string; name: string };
  startedAt: string | null;
  finishedAt: string | null;
  passed: number;
  failed: number;
  warnings: number;
  checks: Array<{ id: string; title: string; severity: string; outcome: string; message: string | null }>;
}

/** Accepts rbac-risk, RBAC_RISK, rbac_risk. */
export function parseInspectionKind(text: string): string {
  const kind = text.trim().toUpperCase().replace(/-/g, '_');
  if (!INSPECTION_KINDS.includes(kind)) throw new InvalidArgumentError(`must be one of ${INSPECTION_KINDS.join(', ')}`);
  return kind;
}

export function registerInspectCommands(program: Command, ctx: CliContext): void {
  const inspect = program.command('inspect').description('cluster inspections');
  inspect
    .command('run')
    .description('run an inspection of one cluster')
    .argument('<cluster>', 'cluster name')
    .addOption(new Option('--kind <kind>', `one of ${INSPECTION_KINDS.join(', ')}`).argParser(parseInspectionKind).makeOptionMandatory())
    .option('--wait', 'wait for the result, print the checks; exit 1 if any check fails or the inspection fails')
    .option('--timeout <seconds>', 'how long --wait waits', parseSeconds, 600)
    .addOption(outputOption())
    .action(async (name: string, opts: { kind: string; wait?: boolean; timeout: number; output: string }) => {
      const client = apiClient(ctx);
      const cluster = await findClusterByName(client, name);
      const { runInspection: started } = await client.request<{ runInspection: { id: string; kind: string; status: string } }>('RunInspection', {
        input: { clusterId: cluster.id, kind: opts.kind },
      });
      if (!opts.wait) {
        return emit(ctx.io, opts.output, started, () => `inspection/${started.id} ${started.status.toLowerCase()}: ${started.kind} of ${name}; see it with flotilla inspect get ${started.id}\n`);
      }
      const done = await waitForJob({
        read: async () => (await client.request<{ inspection: Inspection | null }>('CliInspection', { id: started.id })).inspection,
        done: (i) => !i || TERMINAL_JOB_STATUSES.includes(i.status),
        describe: (i) => (i ? `inspection ${i.status}` : 'inspection not found'),
        onProgress: (line) => ctx.io.err(`${line}\n`),
        timeoutMs: opts.timeout * 1000,
        what: `inspection ${started.id}`,
      });
      if (!done) throw new CliError(`inspection ${started.id} disappeared while waiting`);
      emit(ctx.io, opts.output, done, () => formatInspection(done));
      if (done.status !== 'SUCCEEDED') throw new CliError(`inspection ${done.id} ended ${done.status}${done.error ? `: ${done.error}` : ''}`);
      if (done.failed > 0) throw new CliError(`${done.failed} check${done.failed === 1 ? '' : 's'} failed`);
    });

  inspect
    .command('get')
    .description('one inspection: its checks, or why it failed')
    .argument('<id>', 'inspection id (printed by inspect run; see also flotilla cluster get)')
    .addOption(outputOption())
    .action(async (id: string, opts: { output: string }) => {
      const found = await readInspection(apiClient(ctx), id);
      emit(ctx.io, opts.output, found, () => formatInspection(found));
    });
}

async function readInspection(client: GraphqlClient, id: string): Promise<Inspection> {
  const { inspection } = await client.request<{ inspection: Inspection | null }>('CliInspection', { id });
  if (!inspection) throw new CliError(`no inspection ${id} in this organization`);
  return inspection;
}

function formatInspection(i: Inspection): string {
  let text = '';
  if (i.checks.length) text += formatTable(['CHECK', 'SEVERITY', 'OUTCOME', 'TITLE', 'MESSAGE'], i.checks.map((c) => [c.id, c.severity, c.outcome, c.title, c.message]));
  const target = i.targetVersion ? ` against ${i.targetVersion}` : '';
  text += `inspection/${i.id} ${i.kind} of ${i.cluster.name}${target} ${i.status}: ${i.passed} passed, ${i.failed} failed, ${i.warnings} warnings\n`;
  if (i.error) text += `reason: ${i.error}\n`;
  return text;
}
