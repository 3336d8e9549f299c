import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from '../cli-error';
import { findClusterByName, resolveGroupId } from '../cluster-lookup';
import { CampaignDocument, parseCampaignFile } from '../campaign-document';
import { GraphqlClient } from '../graphql-client';
import { parseSeconds, waitForJob } from '../job-waiter';
import { emit, formatFields, formatTable, outputOption, timeAgo } from '../output';
import { isUuid } from '@flotilla/validation';

interface CampaignRow {
  id: string;
  name: string;
  status: string;
  targetVersion: string;
  createdAt: string;
  finishedAt: string | null;
}

interface CampaignDetail extends CampaignRow {
  statusReason: string | null;
  failureBudget: { maxFailedClusters: number | null; maxFailedPercent: number | null };
  maintenanceWindow: { cron: string; durationMinutes: number; timezone: string; nextOpensAt: string | null } | null;
  counts: { total: number; pending: number; running: number; succeeded: number; failed: number; skipped: number };
  waves: Array<{
    index: number;
    name: string;
    status: string;
    soakMinutes: number;
    requiresApproval: boolean;
    approvedBy: string | null;
    startedAt: string | null;
    soakEndsAt: string | null;
    finishedAt: string | null;
    clusters: Array<{ cluster: { id: string; name: string }; status: string; upgrade: { id: string; status: string; phase: string | null; error: string | null } | null }>;
  }>;
}

interface Preview {
  targetVersion: string;
  waves: Array<{ name: string; clusters: Array<{ id: string; name: string; kubernetesVersion: string | null }> }>;
  excluded: Array<{ cluster: { id: string; name: string }; reason: string }>;
}

const ENDED = ['SUCCEEDED', 'HALTED', 'CANCELLED'];

export function registerCampaignCommands(program: Command, ctx: CliContext): void {
  const campaign = program.command('campaign').description('fleet upgrade campaigns: waves, soak, failure budget, maintenance windows, approvals');

  campaign
    .command('preview')
    .description('show which clusters a campaign file takes, in which wave, and which are excluded and why (changes nothing)')
    .requiredOption('-f, --filename <file>', 'campaign file (YAML); - reads stdin')
    .addOption(outputOption())
    .action(async (opts: { filename: string; output: string }) => {
      const client = apiClient(ctx);
      const input = await toInput(client, readCampaign(opts.filename));
      const { previewUpgradeCampaign: p } = await client.request<{ previewUpgradeCampaign: Preview }>('PreviewUpgradeCampaign', { input });
      emit(ctx.io, opts.output, p, () => formatPreview(p));
    });

  campaign
    .command('create')
    .description('create a campaign from a file; the worker runs it wave by wave')
    .requiredOption('-f, --filename <file>', 'campaign file (YAML); - reads stdin')
    .addOption(outputOption())
    .action(async (opts: { filename: string; output: string }) => {
      const client = apiClient(ctx);
      const input = await toInput(client, readCampaign(opts.filename));
      const { createUpgradeCampaign: c } = await client.request<{ createUpgradeCampaign: CampaignRow }>('CreateUpgradeCampaign', { input });
      emit(ctx.io, opts.output, c, () => `campaign ${c.name} created (${c.status}, target ${c.targetVersion}); follow it with flotilla campaign status ${c.name} --watch\n`);
    });

  campaign
    .command('list')
    .description('list campaigns, newest first')
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const rows = await listCampaigns(apiClient(ctx));
      emit(ctx.io, opts.output, rows, () =>
        rows.length === 0 ? 'No campaigns: create one with flotilla campaign create -f campaign.yaml\n' : formatTable(['NAME', 'STATUS', 'TARGET', 'CREATED', 'FINISHED'], rows.map((c) => [c.name, c.status, c.targetVersion, timeAgo(c.createdAt), c.finishedAt ? timeAgo(c.finishedAt) : '-'])),
      );
    });

  campaign
    .command('status')
    .argument('<name>', 'campaign name or id')
    .description('show a campaign: waves, clusters and their upgrades')
    .option('--watch', 'keep showing progress until the campaign ends')
    .option('--wait', 'like --watch; exit 0 when it SUCCEEDED without failures, 1 when it HALTED, was CANCELLED or a cluster failed')
    .option('--timeout <seconds>', 'how long --watch/--wait follow', parseSeconds, 24 * 3600)
    .option('--interval <seconds>', 'how often --watch/--wait look', parseSeconds, 5)
    .addOption(outputOption())
    .action(async (name: string, opts: { watch?: boolean; wait?: boolean; timeout: number; interval: number; output: string }) => {
      const client = apiClient(ctx);
      const id = await campaignId(client, name);
      if (!opts.watch && !opts.wait) {
        const c = await readCampaign2(client, id);
        emit(ctx.io, opts.output, c, () => formatDetail(c));
        return;
      }
      const done = await waitForJob({
        read: () => readCampaign2(client, id),
        done: (c) => ENDED.includes(c.status) && c.counts.running === 0,
        describe: (c) => (opts.output === 'table' ? formatDetail(c) : progressLine(c)),
        onProgress: (text) => ctx.io.out(text.endsWith('\n') ? text : `${text}\n`),
        timeoutMs: opts.timeout * 1000,
        intervalMs: opts.interval * 1000,
        what: `campaign ${name}`,
      });
      if (opts.output !== 'table') emit(ctx.io, opts.output, done, () => '');
      if (opts.wait) {
        const ok = done.status === 'SUCCEEDED' && done.counts.failed === 0;
        if (!ok) throw new CliError(`campaign ${done.name} ended ${done.status}${done.statusReason ? `: ${done.statusReason}` : ''}${done.counts.failed ? ` (${done.counts.failed} failed)` : ''}`, EXIT_FAILURE);
      }
    });

  campaign
    .command('approve')
    .argument('<name>', 'campaign name or id')
    .requiredOption('--wave <n>', 'the wave to approve (1 is the first)', parseWave)
    .description('approve a wave that requires approval (ADMIN, not the token that created the campaign)')
    .action(async (name: string, opts: { wave: number }) => {
      const client = apiClient(ctx);
      const id = await campaignId(client, name);
      const { approveCampaignWave: c } = await client.request<{ approveCampaignWave: { id: string; status: string } }>('ApproveCampaignWave', { id, waveIndex: opts.wave - 1 });
      ctx.io.out(`wave ${opts.wave} of campaign ${name} approved (campaign ${c.status})\n`);
    });

  for (const [verb, op, what] of [
    ['pause', 'PauseUpgradeCampaign', 'nothing new starts; running upgrades are followed to their end'],
    ['resume', 'ResumeUpgradeCampaign', 'carry on a paused campaign'],
    ['cancel', 'CancelUpgradeCampaign', 'stop the campaign: nothing new starts; running upgrades are followed to their end'],
  ] as const) {
    campaign
      .command(verb)
      .argument('<name>', 'campaign name or id')
      .description(what)
      .action(async (name: string) => {
        const client = apiClient(ctx);
        const id = await campaignId(client, name);
        const data = await client.request<Record<string, { id: string; status: string; statusReason?: string | null }>>(op, { id });
        const c = Object.values(data)[0];
        ctx.io.out(`campaign ${name}: ${c.status}${c.statusReason ? ` (${c.statusReason})` : ''}\n`);
      });
  }
}

function parseWave(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a wave number, 1 for the first');
  return n;
}

function readCampaign(file: string): CampaignDocument {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT_USAGE);
  }
  return parseCampaignFile(text, file === '-' ? 'stdin' : file);
}

/** The file's cluster and group names become ids (the API takes ids). */
async function toInput(client: GraphqlClient, d: CampaignDocument): Promise<Record<string, unknown>> {
  const clusterIds = d.selector.clusters ? await Promise.all(d.selector.clusters.map(async (c) => (isUuid(c) ? c : (await findClusterByName(client, c)).id))) : undefined;
  const groupIds = d.selector.groups ? await Promise.all(d.selector.groups.map((g) => resolveGroupId(client, g))) : undefined;
  const labels = d.selector.labels ? Object.entries(d.selector.labels).map(([key, value]) => ({ key, value })) : undefined;
  return {
    name: d.name,
    targetVersion: d.targetVersion,
    selector: { clusterIds, groupIds, labels, providers: d.selector.providers },
    waves: d.waves,
    maxConcurrent: d.maxConcurrent,
    failureBudget: d.failureBudget,
    maintenanceWindow: d.maintenanceWindow,
    haltOn: d.haltOn,
  };
}

interface CampaignPage {
  upgradeCampaigns: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: CampaignRow }> };
}

async function listCampaigns(client: GraphqlClient): Promise<CampaignRow[]> {
  const rows: CampaignRow[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const data: CampaignPage = await client.request<CampaignPage>('UpgradeCampaigns', { first: 100, after });
    rows.push(...data.upgradeCampaigns.edges.map((e) => e.node));
    if (!data.upgradeCampaigns.pageInfo.hasNextPage || !data.upgradeCampaigns.pageInfo.endCursor) break;
    after = data.upgradeCampaigns.pageInfo.endCursor;
  }
  return rows;
}

async function campaignId(client: GraphqlClient, nameOrId: string): Promise<string> {
  if (isUuid(nameOrId)) return nameOrId;
  const found = (await listCampaigns(client)).find((c) => c.name === nameOrId);
  if (!found) throw new CliError(`no campaign named ${JSON.stringify(nameOrId)} in this organization (see flotilla campaign list)`);
  return found.id;
}

async function readCampaign2(client: GraphqlClient, id: string): Promise<CampaignDetail> {
  const { upgradeCampaign } = await client.request<{ upgradeCampaign: CampaignDetail | null }>('UpgradeCampaignDetail', { id });
  if (!upgradeCampaign) throw new CliError(`campaign ${id} not found`);
  return upgradeCampaign;
}

function progressLine(c: CampaignDetail): string {
  const n = c.counts;
  return `${c.name}: ${c.status} — ${n.succeeded}/${n.total} succeeded, ${n.running} running, ${n.failed} failed, ${n.skipped} skipped, ${n.pending} pending`;
}

export function formatPreview(p: Preview): string {
  const lines = [`Target: ${p.targetVersion}`];
  p.waves.forEach((w, i) => lines.push(`Wave ${i + 1} (${w.name}): ${w.clusters.length} cluster${w.clusters.length === 1 ? '' : 's'}: ${w.clusters.map((c) => `${c.name} (${c.kubernetesVersion ?? '?'})`).join(', ')}`));
  if (p.waves.length === 0) lines.push('No cluster would be upgraded.');
  if (p.excluded.length) {
    lines.push(`Excluded (${p.excluded.length}):`);
    for (const e of p.excluded) lines.push(`  ${e.cluster.name}: ${e.reason}`);
  }
  return lines.join('\n') + '\n';
}

export function formatDetail(c: CampaignDetail): string {
  const n = c.counts;
  const head = formatFields([
    ['Campaign', c.name],
    ['Status', c.statusReason ? `${c.status} (${c.statusReason})` : c.status],
    ['Target', c.targetVersion],
    ['Clusters', `${n.total}: ${n.succeeded} succeeded, ${n.running} running, ${n.failed} failed, ${n.skipped} skipped, ${n.pending} pending`],
    ['Failure budget', [c.failureBudget.maxFailedClusters != null ? `${c.failureBudget.maxFailedClusters} clusters` : null, c.failureBudget.maxFailedPercent != null ? `${c.failureBudget.maxFailedPercent}%` : null].filter(Boolean).join(', ') || 'none'],
    ['Window', c.maintenanceWindow ? `${c.maintenanceWindow.cron} for ${c.maintenanceWindow.durationMinutes} min (${c.maintenanceWindow.timezone}); next opens ${c.maintenanceWindow.nextOpensAt ?? '-'}` : 'none (any time)'],
  ]);
  const rows = c.waves.flatMap((w) =>
    w.clusters.map((k) => [
      `${w.index + 1} ${w.name}`,
      w.status + (w.requiresApproval ? (w.approvedBy ? ` (approved by ${w.approvedBy})` : ' (needs approval)') : '') + (w.status === 'SOAKING' && w.soakEndsAt ? ` until ${w.soakEndsAt}` : ''),
      k.cluster.name,
      k.status,
      k.upgrade ? `${k.upgrade.status}${k.upgrade.phase ? ` ${k.upgrade.phase}` : ''}${k.upgrade.error ? `: ${k.upgrade.error}` : ''}` : '-',
    ]),
  );
  return `${head}\n${formatTable(['WAVE', 'WAVE STATUS', 'CLUSTER', 'STATUS', 'UPGRADE'], rows)}`;
}
