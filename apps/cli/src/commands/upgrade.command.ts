import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { findClusterByName } from '../cluster-lookup';
import { GraphqlClient, GraphqlRequestError } from '../graphql-client';
import { TERMINAL_JOB_STATUSES, parseSeconds, waitForJob } from '../job-waiter';
import { emit, formatFields, formatTable, outputOption, timeAgo } from '../output';
import { certainRefusal, offeredLine, summariseReasons } from '../refusal-summary';
import { isUuid } from '@flotilla/validation';

interface Upgrade {
  id: string;
  fromVersion: string;
  toVersion: string;
  status: string;
  phase: string | null;
  progress?: string | null;
  error?: string | null;
  preflightReasons?: string[];
  startedAt?: string | null;
  finishedAt?: string | null;
}

interface UpgradeDetail extends Upgrade {
  cluster: { id: string; name: string; kubernetesVersion: string | null; availableUpgrades: string[] };
}

interface ClusterUpgrades {
  cluster: {
    id: string;
    name: string;
    status: string;
    kubernetesVersion: string | null;
    availableUpgrades: string[];
    upgrades: { edges: Array<{ node: Upgrade }> };
  } | null;
}

const ACTIVE = ['QUEUED', 'RUNNING'];

export function registerUpgradeCommands(program: Command, ctx: CliContext): void {
  const upgrade = program.command('upgrade').description('Kubernetes version upgrades of Cluster API managed clusters');
  upgrade
    .command('start')
    .description('start upgrading a cluster (pre-flight checks run first and may refuse)')
    .argument('<cluster>', 'cluster name')
    .requiredOption('--to <version>', 'target Kubernetes version, one the management cluster offers (see upgrade list-available)')
    .option('--wait', 'follow the upgrade until it finishes; exit 1 if it fails or is cancelled')
    .option('--timeout <seconds>', 'how long --wait waits', parseSeconds, 3600)
    .addHelpText(
      'after',
      `
Without --wait, a refusal that is certain from the registry alone (a skipped minor, a downgrade,
a release not offered) is reported at once, nothing is started, and the exit code is 1. Pre-flight
checks that need the cluster (nodes Ready, kubelet skew, removed APIs) run in the worker: follow
them with --wait or flotilla upgrade get ID.`,
    )
    .action(async (name: string, opts: { to: string; wait?: boolean; timeout: number }) => {
      const client = apiClient(ctx);
      const cluster = await findClusterByName(client, name);
      const before = await readClusterUpgrades(client, cluster.id, name);
      const current = before.kubernetesVersion;
      // Certain from the registry alone; with nothing on offer the API first tells an unmanaged cluster apart (it refuses at once).
      const certain = current ? certainRefusal(current, opts.to, before.availableUpgrades) : [];
      if (!opts.wait && certain.length && before.availableUpgrades.length > 0) {
        throw refusal(`upgrade of ${name} to ${opts.to} refused before starting (nothing was started)`, certain, current, before.availableUpgrades);
      }
      let started: Upgrade;
      try {
        ({ startUpgrade: started } = await client.request<{ startUpgrade: Upgrade }>('StartUpgrade', { input: { clusterId: cluster.id, targetVersion: opts.to } }));
      } catch (err) {
        if (err instanceof GraphqlRequestError && err.code !== 'UNAUTHENTICATED') {
          throw new CliError(`${err.message}\n  ${offeredLine(current, before.availableUpgrades)}`, err.exitCode);
        }
        throw err;
      }
      ctx.io.out(`upgrade/${started.id} ${started.status.toLowerCase()}: cluster ${name} ${started.fromVersion} → ${started.toVersion}\n`);
      if (!opts.wait) {
        if (certain.length) {
          const reasons = [...certain.filter((r) => !r.endsWith('not offered by the management cluster.')), `The management cluster offers nothing ${name} can move to.`];
          throw refusal(`pre-flight will refuse upgrade ${started.id}`, reasons, current, before.availableUpgrades);
        }
        return;
      }
      const done = await waitForJob({
        read: async () => (await client.request<{ upgrade: UpgradeDetail | null }>('CliUpgrade', { id: started.id })).upgrade,
        done: (u) => !u || TERMINAL_JOB_STATUSES.includes(u.status),
        describe: (u) => (u ? `upgrade ${u.status}${u.phase ? ` (${u.phase})` : ''}${u.progress ? `: ${u.progress}` : ''}` : 'upgrade no longer listed'),
        onProgress: (line) => ctx.io.err(`${line}\n`),
        timeoutMs: opts.timeout * 1000,
        intervalMs: 2000,
        what: `upgrade ${started.id}`,
      });
      if (!done) throw new CliError(`upgrade ${started.id} is no longer listed for cluster ${name}`);
      if (done.status !== 'SUCCEEDED') throw upgradeFailure(name, done);
      ctx.io.out(`cluster ${name} upgraded to ${done.toVersion}\n`);
    });

  upgrade
    .command('list-available')
    .description('the versions a cluster can be upgraded to (offered by its management cluster and allowed by the skew rules)')
    .argument('<cluster>', 'cluster name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output: string }) => {
      const client = apiClient(ctx);
      const found = await findClusterByName(client, name);
      const c = await readClusterUpgrades(client, found.id, name);
      emit(ctx.io, opts.output, { cluster: c.name, kubernetesVersion: c.kubernetesVersion, availableUpgrades: c.availableUpgrades }, () => {
        if (c.availableUpgrades.length === 0) {
          return `cluster ${name} (${c.kubernetesVersion ?? 'version unknown'}): no upgrade available — Cluster API does not manage it, or its management cluster offers nothing newer within one minor\n`;
        }
        return formatTable(['VERSION'], c.availableUpgrades.map((v) => [v])) + `(cluster ${name} is at ${c.kubernetesVersion ?? 'an unknown version'})\n`;
      });
    });

  upgrade
    .command('list')
    .description("a cluster's recent upgrades, newest first")
    .argument('<cluster>', 'cluster name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output: string }) => {
      const client = apiClient(ctx);
      const found = await findClusterByName(client, name);
      const rows = (await readClusterUpgrades(client, found.id, name)).upgrades.edges.map((e) => e.node);
      emit(ctx.io, opts.output, rows, () => {
        if (rows.length === 0) return `no upgrades of ${name} yet\n`;
        const now = new Date();
        return formatTable(
          ['ID', 'FROM', 'TO', 'STATUS', 'PHASE', 'STARTED', 'ERROR'],
          rows.map((u) => [u.id, u.fromVersion, u.toVersion, u.status, u.phase, timeAgo(u.startedAt, now), u.error]),
        );
      });
    });

  upgrade
    .command('get')
    .description('one upgrade: status, phase, progress and, when it failed, why (pre-flight reasons summarised)')
    .argument('<id>', 'upgrade id')
    .addOption(outputOption())
    .action(async (id: string, opts: { output: string }) => {
      const u = await readUpgrade(apiClient(ctx), id);
      emit(ctx.io, opts.output, u, () => formatUpgrade(u));
    });

  upgrade
    .command('cancel')
    .description("stop an upgrade: by its id, or a cluster's upgrade in progress by the cluster's name")
    .argument('<upgrade-or-cluster>', 'upgrade id or cluster name')
    .addOption(outputOption())
    .action(async (target: string, opts: { output: string }) => {
      const client = apiClient(ctx);
      const id = isUuid(target) ? target : await activeUpgradeOf(client, target);
      const { cancelUpgrade } = await client.request<{ cancelUpgrade: { id: string; status: string } }>('CancelUpgrade', { id });
      const u = await readUpgrade(client, cancelUpgrade.id);
      emit(ctx.io, opts.output, u, () => `upgrade/${u.id} ${u.status.toLowerCase()}${u.error ? `: ${u.error}` : ''}\n`);
    });
}

async function readClusterUpgrades(client: GraphqlClient, id: string, name: string): Promise<NonNullable<ClusterUpgrades['cluster']>> {
  const { cluster } = await client.request<ClusterUpgrades>('CliClusterUpgrades', { id });
  if (!cluster) throw new CliError(`cluster ${name} disappeared`);
  return cluster;
}

async function readUpgrade(client: GraphqlClient, id: string): Promise<UpgradeDetail> {
  if (!isUuid(id)) throw new CliError(`${JSON.stringify(id)} is not an upgrade id (see flotilla upgrade list CLUSTER)`);
  const { upgrade } = await client.request<{ upgrade: UpgradeDetail | null }>('CliUpgrade', { id });
  if (!upgrade) throw new CliError(`no upgrade ${id} in this organization`);
  return upgrade;
}

async function activeUpgradeOf(client: GraphqlClient, name: string): Promise<string> {
  const found = await findClusterByName(client, name);
  const active = (await readClusterUpgrades(client, found.id, name)).upgrades.edges.map((e) => e.node).find((u) => ACTIVE.includes(u.status));
  if (!active) throw new CliError(`cluster ${name} has no upgrade in progress: nothing to cancel`);
  return active.id;
}

function formatUpgrade(u: UpgradeDetail): string {
  const now = new Date();
  const fields = formatFields([
    ['Upgrade', u.id],
    ['Cluster', u.cluster.name],
    ['From', u.fromVersion],
    ['To', u.toVersion],
    ['Status', u.status],
    ['Phase', u.phase],
    ['Progress', u.progress],
    ['Started', timeAgo(u.startedAt, now)],
    ['Finished', timeAgo(u.finishedAt, now)],
  ]);
  if (u.status !== 'FAILED' && u.status !== 'CANCELLED') return fields;
  return `${fields}${upgradeFailure(u.cluster.name, u).message}\n`;
}

/** A failed or cancelled upgrade as one error: the pre-flight refusal summarised, else its error. */
function upgradeFailure(name: string, u: Upgrade & { cluster?: UpgradeDetail['cluster'] }): CliError {
  if (u.status === 'FAILED' && u.phase === 'PREFLIGHT' && u.preflightReasons?.length) {
    return refusal(`upgrade of ${name} to ${u.toVersion} refused by pre-flight`, u.preflightReasons, u.cluster?.kubernetesVersion ?? u.fromVersion, u.cluster?.availableUpgrades ?? []);
  }
  return new CliError(`upgrade of ${name} to ${u.toVersion} ${u.status}${u.error ? `: ${u.error}` : ''}`);
}

function refusal(headline: string, reasons: readonly string[], current: string | null, available: readonly string[]): CliError {
  const lines = summariseReasons(reasons).map((r) => `  - ${r}`);
  return new CliError(`${headline}:\n${lines.join('\n')}\n  ${offeredLine(current, available)}`);
}
