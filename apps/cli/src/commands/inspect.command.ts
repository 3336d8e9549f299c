import { Command, InvalidArgumentError, Option } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { findClusterByName } from '../cluster-lookup';
import { TERMINAL_JOB_STATUSES, parseSeconds, waitForJob } from '../job-waiter';
import { formatJson, formatTable } from '../output';

export const INSPECTION_KINDS = ['CONFORMANCE_LITE', 'RBAC_RISK', 'DEPRECATED_APIS', 'POD_SECURITY'];

interface Inspection {
  id: string;
  kind: string;
  status: string;
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
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (name: string, opts: { kind: string; wait?: boolean; timeout: number; output: string }) => {
      const client = apiClient(ctx);
      const cluster = await findClusterByName(client, name);
      const { runInspection: started } = await client.request<{ runInspection: { id: string; kind: string; status: string } }>('RunInspection', {
        input: { clusterId: cluster.id, kind: opts.kind },
      });
      if (!opts.wait) {
        if (opts.output === 'json') return ctx.io.out(formatJson(started));
        return ctx.io.out(`inspection/${started.id} ${started.status.toLowerCase()}: ${started.kind} of ${name}\n`);
      }
      const done = await waitForJob({
        read: async () => (await client.request<{ inspection: Inspection | null }>('InspectionDetail', { id: started.id })).inspection,
        done: (i) => !i || TERMINAL_JOB_STATUSES.includes(i.status),
        describe: (i) => (i ? `inspection ${i.status}` : 'inspection not found'),
        onProgress: (line) => ctx.io.err(`${line}\n`),
        timeoutMs: opts.timeout * 1000,
        what: `inspection ${started.id}`,
      });
      if (!done) throw new CliError(`inspection ${started.id} disappeared while waiting`);
      if (opts.output === 'json') ctx.io.out(formatJson(done));
      else {
        if (done.checks.length) {
          ctx.io.out(formatTable(['CHECK', 'SEVERITY', 'OUTCOME', 'TITLE', 'MESSAGE'], done.checks.map((c) => [c.id, c.severity, c.outcome, c.title, c.message])));
        }
        ctx.io.out(`inspection/${done.id} ${done.kind} of ${name} ${done.status}: ${done.passed} passed, ${done.failed} failed, ${done.warnings} warnings\n`);
      }
      if (done.status !== 'SUCCEEDED') throw new CliError(`inspection ${done.id} ended ${done.status}`);
      if (done.failed > 0) throw new CliError(`${done.failed} check${done.failed === 1 ? '' : 's'} failed`);
    });
}
