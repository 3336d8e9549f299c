import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError, EXIT_USAGE } from '../cli-error';
import { findClusterByName, resolveGroupId } from '../cluster-lookup';
import { parseClusterSpec, provisionInput } from '../cluster-spec';
import { GraphqlClient } from '../graphql-client';
import { parseSeconds, waitForJob } from '../job-waiter';

interface ManagementCluster {
  id: string;
  name: string;
  offeredVersions: string[];
  vmClasses: string[];
  storageClasses: string[];
}

interface ProvisionedCluster {
  id: string;
  name: string;
  status: string;
  statusReason?: string | null;
  kubernetesVersion?: string | null;
  nodeCount?: number;
  provisioning: { phase: string; message: string | null; managementCluster?: { id: string; name: string } } | null;
}

const SPEC_HELP = `
The spec (YAML):
  name: tkg-dev-01
  managementCluster: supervisor-01     # an attached management cluster (attach it with --allow-provisioning)
  namespace: tkg-dev                    # its vSphere Namespace (default: default)
  version: v1.31.4+vmware.1             # a release it offers
  controlPlane:
    replicas: 3                         # 1, 3 or 5
  vmClass: best-effort-medium
  storageClass: vsan-default-storage-policy
  workers:
    - name: general
      replicas: 3
    - name: memory
      replicas: 2
      vmClass: guaranteed-large         # per-pool VM class
  group: platform                       # optional cluster group (name or id)
  labels:
    env: dev

--preview prints the Cluster API objects (YAML) and applies nothing. Without it the cluster is
recorded PENDING and the worker applies the objects on the management cluster, follows them, and
attaches the new cluster with the agent identity (no attach needed). --wait follows it to CONNECTED
(exit 1 if provisioning fails).`;

export function registerProvisionCommands(cluster: Command, ctx: CliContext): void {
  cluster
    .command('create')
    .description('provision a cluster through Cluster API on an attached management cluster, from a short YAML spec')
    .requiredOption('-f, --file <spec.yaml>', 'the spec ("-" reads stdin)')
    .option('--preview', 'print the objects that would be applied and their count; apply nothing')
    .option('--wait', 'follow provisioning until the cluster is CONNECTED; exit 1 if it fails')
    .option('--timeout <seconds>', 'how long --wait waits', parseSeconds, 3600)
    .addHelpText('after', SPEC_HELP)
    .action(async (opts: { file: string; preview?: boolean; wait?: boolean; timeout: number }) => {
      let text: string;
      try {
        text = readFileSync(opts.file === '-' ? 0 : opts.file, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${opts.file}: ${(err as Error).message}`, EXIT_USAGE);
      }
      const spec = parseClusterSpec(text, opts.file);
      const client = apiClient(ctx);
      const { managementClusters } = await client.request<{ managementClusters: ManagementCluster[] }>('CliManagementClusters');
      const management = managementClusters.find((m) => m.name === spec.managementCluster || m.id === spec.managementCluster);
      if (!management) {
        throw new CliError(`managementCluster: ${JSON.stringify(spec.managementCluster)} is not an attached management cluster (attached: ${managementClusters.map((m) => m.name).join(', ') || 'none'})`);
      }
      const groupId = spec.group ? await resolveGroupId(client, spec.group) : undefined;
      const input = provisionInput(spec, management.id, groupId);
      if (opts.preview) {
        const { previewClusterManifests: p } = await client.request<{ previewClusterManifests: { objectCount: number; yaml: string } }>('CliPreviewClusterManifests', { input });
        ctx.io.out(p.yaml);
        ctx.io.err(`${p.objectCount} object${p.objectCount === 1 ? '' : 's'} for ${management.name}; nothing was applied\n`);
        return;
      }
      const { provisionCluster: c } = await client.request<{ provisionCluster: ProvisionedCluster }>('CliProvisionCluster', { input });
      ctx.io.out(`cluster/${c.name} ${c.status.toLowerCase()} (${c.id}): provisioning on ${management.name}\n`);
      if (opts.wait) await follow(ctx, client, c.id, opts.timeout, (x) => x.provisioning?.phase === 'FAILED' || (x.provisioning?.phase === 'RUNNING' && x.status === 'CONNECTED'), 'RUNNING');
    });

  cluster
    .command('delete')
    .description('deprovision a cluster Flotilla created (deletes its Cluster API Cluster; the cluster ends DETACHED)')
    .argument('<name>', 'cluster name')
    .option('--wait', 'follow until Cluster API has removed it; exit 1 if deletion fails')
    .option('--timeout <seconds>', 'how long --wait waits', parseSeconds, 3600)
    .action(async (name: string, opts: { wait?: boolean; timeout: number }) => {
      const client = apiClient(ctx);
      const found = await findClusterByName(client, name);
      const { deprovisionCluster: c } = await client.request<{ deprovisionCluster: ProvisionedCluster }>('CliDeprovisionCluster', { id: found.id });
      ctx.io.out(`cluster/${c.name} deprovisioning (${c.provisioning?.phase ?? 'DELETING'})\n`);
      if (opts.wait) await follow(ctx, client, c.id, opts.timeout, (x) => ['DELETED', 'FAILED'].includes(x.provisioning?.phase ?? ''), 'DELETED');
    });
}

async function follow(ctx: CliContext, client: GraphqlClient, id: string, timeoutSeconds: number, done: (c: ProvisionedCluster) => boolean, success: string): Promise<void> {
  const last = await waitForJob<ProvisionedCluster>({
    read: async () => {
      const { cluster } = await client.request<{ cluster: ProvisionedCluster | null }>('CliClusterProvisioning', { id });
      if (!cluster) throw new CliError(`cluster ${id} disappeared`);
      return cluster;
    },
    done,
    describe: (c) => `${c.status} ${c.provisioning?.phase ?? ''}${c.provisioning?.message ? `: ${c.provisioning.message}` : ''}`,
    onProgress: (line) => ctx.io.err(`${line}\n`),
    timeoutMs: timeoutSeconds * 1000,
    intervalMs: 1000,
    what: `cluster ${id}`,
  });
  if (last.provisioning?.phase !== success) throw new CliError(`cluster/${last.name} ${last.provisioning?.phase ?? ''}: ${last.provisioning?.message ?? last.statusReason ?? 'failed'}`);
  ctx.io.out(`cluster/${last.name} ${success === 'RUNNING' ? `${last.status.toLowerCase()} (${last.kubernetesVersion ?? '?'}, ${last.nodeCount ?? 0} nodes)` : 'deleted'}\n`);
}
