import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { resolveGroupId } from '../cluster-lookup';
import { TERMINAL_JOB_STATUSES, parseCount, parseSeconds, waitForJob } from '../job-waiter';
import { ClusterListRow } from '../cluster-view';
import { ScanTrendPoint, previousScan, scanTrendLine } from '../scan-trend';
import { emit, formatFields, formatJson, formatTable, formatYaml, outputOption, timeAgo, truncate } from '../output';

interface ScanDetail {
  id: string;
  status: string;
  trigger: string;
  clusterCount: number;
  completedCount: number;
  failedCount: number;
  startedAt: string | null;
  finishedAt: string | null;
  summary: { compliant: number; nonCompliant: number; errored: number; violations: number } | null;
}

type ComplianceRow = Pick<ClusterListRow, 'id' | 'name' | 'statusReason' | 'compliance'>;

/** The most clusters the failing-cluster table shows (the rest are counted). */
const TABLE_LIMIT = 100;

export function registerScanCommands(program: Command, ctx: CliContext): void {
  const scan = program.command('scan').description('compliance scans');
  scan
    .command('run')
    .description('start a compliance scan of the fleet (or of one group)')
    .option('--group <group>', 'scan only this cluster group (name or id)')
    .option('--wait', 'wait for the scan to finish, show the clusters that fail, exit 1 if any is non-compliant or errored')
    .option('--timeout <seconds>', 'how long --wait waits', parseSeconds, 1800)
    .addOption(outputOption())
    .action(async (opts: { group?: string; wait?: boolean; timeout: number; output: string }) => {
      const client = apiClient(ctx);
      const groupId = opts.group ? await resolveGroupId(client, opts.group) : undefined;
      const { runComplianceScan: started } = await client.request<{ runComplianceScan: { id: string; status: string; clusterCount: number } }>(
        'RunComplianceScan',
        { input: groupId ? { groupId } : {} },
      );
      if (!opts.wait) {
        return emit(ctx.io, opts.output, started, () => `scan/${started.id} ${started.status.toLowerCase()} (${started.clusterCount} clusters); follow it with --wait or flotilla scan get ${started.id}\n`);
      }
      ctx.io.err(`scan/${started.id} started over ${started.clusterCount} clusters\n`);
      const done = await waitForJob({
        read: async () => (await client.request<{ scan: ScanDetail | null }>('ScanDetail', { id: started.id })).scan,
        done: (s) => !s || TERMINAL_JOB_STATUSES.includes(s.status),
        describe: (s) => (s ? `scan ${s.status}: ${s.completedCount}/${s.clusterCount} clusters done, ${s.failedCount} failed` : 'scan not found'),
        onProgress: (line) => ctx.io.err(`${line}\n`),
        timeoutMs: opts.timeout * 1000,
        what: `scan ${started.id}`,
      });
      if (!done) throw new CliError(`scan ${started.id} disappeared while waiting`);

      // CliClusterList, not the contract's ClusterListCompliance: it carries why a cluster errored.
      const failing = await client.request<{ clusters: { totalCount: number; edges: Array<{ node: ComplianceRow }> } }>('CliClusterList', {
        filter: { complianceStatuses: ['NON_COMPLIANT', 'ERROR'], ...(groupId ? { groupId } : {}) },
        first: TABLE_LIMIT,
      });
      const rows = failing.clusters.edges.map((e) => e.node);
      // The trend: compliant clusters now against the previous finished scan (of any scope).
      const recent = await client.request<{ scans: { edges: Array<{ node: ScanTrendPoint }> } }>('CliRecentScanSummaries', { first: 20 });
      const self = recent.scans.edges.map((e) => e.node).find((s) => s.id === done.id);
      const current: ScanTrendPoint = self ?? { id: done.id, status: done.status, createdAt: new Date().toISOString(), summary: done.summary };
      const previous = previousScan(current, recent.scans.edges.map((e) => e.node));
      const trend = { compliantClusters: done.summary?.compliant ?? 0, previousScanId: previous?.id ?? null, previousCompliantClusters: previous?.summary?.compliant ?? null };
      const result = { scan: done, failingClusters: rows, failingClusterCount: failing.clusters.totalCount, trend };
      if (opts.output === 'json') ctx.io.out(formatJson(result));
      else if (opts.output === 'yaml') ctx.io.out(formatYaml(result));
      else {
        printScanResult(ctx, done, rows, failing.clusters.totalCount);
        ctx.io.out(`${scanTrendLine(current, previous)}\n`);
      }

      const s = done.summary;
      if (done.status !== 'SUCCEEDED') throw new CliError(`scan ${done.id} ended ${done.status}`);
      if (s && (s.nonCompliant > 0 || s.errored > 0)) throw new CliError(`${s.nonCompliant} non-compliant and ${s.errored} errored of ${done.clusterCount} clusters`);
      if (!s && failing.clusters.totalCount > 0) throw new CliError(`${failing.clusters.totalCount} clusters are non-compliant or errored`);
    });

  scan
    .command('list')
    .description('recent compliance scans, newest first')
    .option('--limit <n>', 'how many', parseCount, 20)
    .addOption(outputOption())
    .action(async (opts: { limit: number; output: string }) => {
      const client = apiClient(ctx);
      const scans: ScanRow[] = [];
      let after: string | null = null;
      while (scans.length < opts.limit) {
        const page: ScansData = await client.request<ScansData>('Scans', { first: Math.min(100, opts.limit - scans.length), after });
        scans.push(...page.scans.edges.map((e) => e.node));
        if (!page.scans.pageInfo.hasNextPage || !page.scans.pageInfo.endCursor || page.scans.pageInfo.endCursor === after) break;
        after = page.scans.pageInfo.endCursor;
      }
      if (scans.length === 0 && opts.output === 'table') return ctx.io.err('No scans yet: start one with flotilla scan run\n');
      const now = new Date();
      emit(ctx.io, opts.output, scans, () =>
        formatTable(
          ['ID', 'STATUS', 'TRIGGER', 'CLUSTERS', 'DONE', 'FAILED', 'STARTED', 'FINISHED'],
          scans.map((x) => [x.id, x.status, x.trigger, x.clusterCount, x.completedCount, x.failedCount, timeAgo(x.startedAt, now), timeAgo(x.finishedAt, now)]),
        ),
      );
    });

  scan
    .command('get')
    .description('one scan: progress, and when done how many clusters were compliant, non-compliant or errored')
    .argument('<id>', 'scan id')
    .addOption(outputOption())
    .action(async (id: string, opts: { output: string }) => {
      const { scan: found } = await apiClient(ctx).request<{ scan: ScanDetail | null }>('ScanDetail', { id });
      if (!found) throw new CliError(`no scan ${id} in this organization (see flotilla scan list)`);
      const now = new Date();
      const s = found.summary;
      emit(ctx.io, opts.output, found, () =>
        formatFields([
          ['Scan', found.id],
          ['Status', found.status],
          ['Trigger', found.trigger],
          ['Clusters', `${found.completedCount}/${found.clusterCount} done, ${found.failedCount} failed`],
          ['Started', timeAgo(found.startedAt, now)],
          ['Finished', timeAgo(found.finishedAt, now)],
          ['Result', s ? `${s.compliant} compliant, ${s.nonCompliant} non-compliant, ${s.errored} errored, ${s.violations} violations` : null],
        ]),
      );
    });
}

interface ScanRow {
  id: string;
  status: string;
  trigger: string;
  clusterCount: number;
  completedCount: number;
  failedCount: number;
  startedAt: string | null;
  finishedAt: string | null;
}

interface ScansData {
  scans: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: ScanRow }> };
}

function printScanResult(ctx: CliContext, scan: ScanDetail, rows: ComplianceRow[], total: number): void {
  if (rows.length) {
    const now = new Date();
    ctx.io.out(
      formatTable(
        ['CLUSTER', 'COMPLIANCE', 'VIOLATIONS', 'CHECKED', 'REASON'],
        rows.map((r) => [r.name, r.compliance.status, r.compliance.violationCount, timeAgo(r.compliance.checkedAt, now), truncate(r.compliance.reason ?? r.statusReason, 100)]),
      ),
    );
    if (total > rows.length) ctx.io.out(`… and ${total - rows.length} more (see the dashboard)\n`);
  }
  const s = scan.summary;
  ctx.io.out(
    s
      ? `scan/${scan.id} ${scan.status}: ${s.compliant} compliant, ${s.nonCompliant} non-compliant, ${s.errored} errored, ${s.violations} violations\n`
      : `scan/${scan.id} ${scan.status}\n`,
  );
}
