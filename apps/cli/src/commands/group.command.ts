import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { ClusterGroup, findGroup } from '../cluster-lookup';
import { emit, formatTable, outputOption } from '../output';

export function registerGroupCommands(program: Command, ctx: CliContext): void {
  const group = program.command('group').description('cluster groups (scope of policies and scans)');

  group
    .command('create')
    .description('create a cluster group')
    .argument('<name>', 'group name')
    .option('--description <text>', 'what the group is for')
    .addOption(outputOption())
    .action(async (name: string, opts: { description?: string; output: string }) => {
      const { createClusterGroup: g } = await apiClient(ctx).request<{ createClusterGroup: Omit<ClusterGroup, 'clusterCount'> }>('CreateClusterGroup', {
        input: { name, description: opts.description ?? null },
      });
      emit(ctx.io, opts.output, g, () => `group/${g.name} created (${g.id})\n`);
    });

  group
    .command('list')
    .description('list the cluster groups and how many live clusters each holds')
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const { clusterGroups } = await apiClient(ctx).request<{ clusterGroups: ClusterGroup[] }>('ClusterGroups');
      if (clusterGroups.length === 0 && opts.output === 'table') return ctx.io.err('No groups yet: create one with flotilla group create NAME\n');
      emit(ctx.io, opts.output, clusterGroups, () =>
        formatTable(['NAME', 'CLUSTERS', 'ID', 'DESCRIPTION'], clusterGroups.map((g) => [g.name, g.clusterCount, g.id, g.description])),
      );
    });

  group
    .command('delete')
    .description('delete an empty group (refused while clusters are in it or policies are scoped to it)')
    .argument('<group>', 'group name or id')
    .action(async (name: string) => {
      const client = apiClient(ctx);
      const found = await findGroup(client, name);
      if (!found) throw new CliError(`no cluster group named ${JSON.stringify(name)} (see flotilla group list)`);
      await client.request('CliDeleteClusterGroup', { id: found.id });
      ctx.io.out(`group/${found.name} deleted\n`);
    });
}
