import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { findClusterByName } from '../cluster-lookup';
import { GraphqlClient } from '../graphql-client';
import { emit, formatTable, outputOption } from '../output';

export interface Workspace {
  id: string;
  name: string;
  description: string | null;
  namespaces: Array<{ cluster: { id: string; name: string }; namespace: string }>;
}

/** A workspace by name or id; a clear error when there is none. */
export async function findWorkspace(client: GraphqlClient, nameOrId: string): Promise<Workspace> {
  const { workspaces } = await client.request<{ workspaces: Workspace[] }>('CliWorkspaces');
  const found = workspaces.find((w) => w.id === nameOrId) ?? workspaces.find((w) => w.name === nameOrId);
  if (!found) throw new CliError(`no workspace named ${JSON.stringify(nameOrId)} (see flotilla workspace list)`);
  return found;
}

export function registerWorkspaceCommands(program: Command, ctx: CliContext): void {
  const workspace = program.command('workspace').description('workspaces: namespaces across clusters, a unit of policy and access (ADMIN changes them)');

  workspace
    .command('create')
    .description('create a workspace')
    .argument('<name>', 'workspace name')
    .option('--description <text>', 'what the workspace is for')
    .addOption(outputOption())
    .action(async (name: string, opts: { description?: string; output: string }) => {
      const { createWorkspace: w } = await apiClient(ctx).request<{ createWorkspace: Omit<Workspace, 'namespaces'> }>('CliCreateWorkspace', {
        input: { name, description: opts.description ?? null },
      });
      emit(ctx.io, opts.output, w, () => `workspace/${w.name} created (${w.id})\n`);
    });

  workspace
    .command('add-namespace')
    .description('add a namespace of an attached cluster to a workspace (ENFORCE of a workspace policy creates it when missing)')
    .argument('<workspace>', 'workspace name or id')
    .requiredOption('--cluster <cluster>', 'cluster name')
    .requiredOption('--namespace <namespace>', 'namespace (a DNS label; not a system namespace)')
    .addOption(outputOption())
    .action(async (name: string, opts: { cluster: string; namespace: string; output: string }) => {
      const client = apiClient(ctx);
      const [w, cluster] = await Promise.all([findWorkspace(client, name), findClusterByName(client, opts.cluster)]);
      const { addWorkspaceNamespace: updated } = await client.request<{ addWorkspaceNamespace: Workspace }>('CliAddWorkspaceNamespace', {
        input: { workspaceId: w.id, clusterId: cluster.id, namespace: opts.namespace },
      });
      emit(ctx.io, opts.output, updated, () => `workspace/${updated.name}: ${cluster.name}/${opts.namespace} added (${updated.namespaces.length} namespaces)\n`);
    });

  workspace
    .command('list')
    .description('list the workspaces and their namespaces (cluster/namespace)')
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const { workspaces } = await apiClient(ctx).request<{ workspaces: Workspace[] }>('CliWorkspaces');
      if (workspaces.length === 0 && opts.output === 'table') return ctx.io.err('No workspaces yet: create one with flotilla workspace create NAME\n');
      emit(ctx.io, opts.output, workspaces, () =>
        formatTable(
          ['NAME', 'NAMESPACES', 'ID', 'DESCRIPTION'],
          workspaces.map((w) => [w.name, w.namespaces.map((n) => `${n.cluster.name}/${n.namespace}`).join(',') || '-', w.id, w.description]),
        ),
      );
    });
}
