import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { findClusterByName } from '../cluster-lookup';
import { GraphqlClient, GraphqlRequestError } from '../graphql-client';
import { TERMINAL_JOB_STATUSES, parseSeconds, waitForJob } from '../job-waiter';

interface Upgrade {
  id: string;
  fromVersion: string;
  toVersion: string;
  status: string;
  phase: string | null;
  error?: string | null;
}

interface ClusterUpgrades {
  cluster: { id: string; kubernetesVersion: string | null; availableUpgrades: string[]; upgrades: { edges: Array<{ node: Upgrade }> } } | null;
}

export function registerUpgradeCommands(program: Command, ctx: CliContext): void {
  const upgrade = program.command('upgrade').description('Kubernetes version upgrades of Cluster API managed clusters');
  upgrade
    .command('start')
    .description('start upgrading a cluster (pre-flight checks run first and may refuse)')
    .argument('<cluster>', 'cluster name')
    .requiredOption('--to <version>', 'target Kubernetes version, one the management cluster offers')
    .option('--wait', 'follow the upgrade until it finishes; exit 1 if it fails or is cancelled')
    .option('--timeout <seconds>', 'how long --wait waits', parseSeconds, 3600)
    .action(async (name: string, opts: { to: string; wait?: boolean; timeout: number }) => {
      const client = apiClient(ctx);
      const cluster = await findClusterByName(client, name);
      let started: Upgrade;
      try {
        ({ startUpgrade: started } = await client.request<{ startUpgrade: Upgrade }>('StartUpgrade', { input: { clusterId: cluster.id, targetVersion: opts.to } }));
      } catch (err) {
        if (err instanceof GraphqlRequestError && err.code !== 'UNAUTHENTICATED') throw new CliError(`${err.message}${await availableHint(client, cluster.id)}`);
        throw err;
      }
      ctx.io.out(`upgrade/${started.id} ${started.status.toLowerCase()}: cluster ${name} ${started.fromVersion} → ${started.toVersion}\n`);
      if (!opts.wait) return;
      const done = await waitForJob({
        read: async () => {
          const data = await client.request<ClusterUpgrades>('ClusterUpgrades', { id: cluster.id });
          return data.cluster?.upgrades.edges.map((e) => e.node).find((u) => u.id === started.id);
        },
        done: (u) => !u || TERMINAL_JOB_STATUSES.includes(u.status),
        describe: (u) => (u ? `upgrade ${u.status}${u.phase ? ` (${u.phase})` : ''}` : 'upgrade no longer listed'),
        onProgress: (line) => ctx.io.err(`${line}\n`),
        timeoutMs: opts.timeout * 1000,
        intervalMs: 2000,
        what: `upgrade ${started.id}`,
      });
      if (!done) throw new CliError(`upgrade ${started.id} is no longer listed for cluster ${name}`);
      if (done.status !== 'SUCCEEDED') throw new CliError(`upgrade of ${name} to ${done.toVersion} ${done.status}${done.error ? `: ${done.error}` : ''}`);
      ctx.io.out(`cluster ${name} upgraded to ${done.toVersion}\n`);
    });
}

/** Shown when the API refuses: what the cluster could move to instead. */
async function availableHint(client: GraphqlClient, clusterId: string): Promise<string> {
  try {
    const data = await client.request<ClusterUpgrades>('ClusterUpgrades', { id: clusterId });
    const available = data.cluster?.availableUpgrades ?? [];
    return available.length ? ` (available: ${available.join(', ')})` : '';
  } catch {
    return ''; // the refusal above is the error that matters
  }
}
