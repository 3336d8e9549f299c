import { Command } from 'commander';
import {
  AGENT_CLUSTER_ROLE,
  AGENT_CLUSTER_ROLE_BINDING,
  AGENT_NAMESPACE,
  AGENT_SERVICE_ACCOUNT,
  AGENT_TOKEN_SECRET,
  CLUSTER_ADMIN_ROLE,
  DEFAULT_BINDABLE_ROLES,
  checkBindableRoles,
} from '@flotilla/cluster-access/agent-identity';
import { CliContext, apiClient } from '../cli-context';
import { InputValidationError, clusterName } from '@flotilla/validation';
import { CliError, EXIT_USAGE } from '../cli-error';
import { findClusterByName, listClusters, resolveGroupId } from '../cluster-lookup';
import { GraphqlClient, GraphqlRequestError } from '../graphql-client';
import { applyAgentMode, writeAgentKubeconfig } from '../agent-attach';
import { DEFAULT_AGENT_IMAGE } from '@flotilla/cluster-access/agent-identity';
import { DEFAULT_TOKEN_TTL_SECONDS, parseTokenTtl } from '@flotilla/cluster-access/token-renewal';
import { LegacySecretOutcome, ensureAgentIdentity, loadKubeConfig, removeLegacyTokenSecret } from '../kube-attach';
import { Label, collectLabel } from '../labels';
import { emit, outputOption } from '../output';
import { registerProvisionCommands } from './provision.command';
import { CLUSTER_STATUSES, COMPLIANCE_STATUSES, ClusterDetail, ClusterListRow, PROVIDERS, clusterTable, enumListOption, formatClusterDetail } from '../cluster-view';

interface AttachOptions {
  kubeconfig?: string;
  context?: string;
  group?: string;
  label?: Label[];
  update?: boolean;
  bindableRole?: string[];
  allowBindClusterAdmin?: boolean;
  useSystemTrustRoots?: boolean;
  agent?: boolean;
  agentImage?: string;
  wait?: boolean;
  agentKubeconfigOut?: string;
  waitTimeout?: string;
  allowProvisioning?: boolean;
  tokenTtl?: string;
}

interface AttachClusterData {
  attachCluster: { id: string; name: string; status: string; provider: string; kubernetesVersion: string | null; apiServerUrl: string };
}

interface ListOptions {
  provider?: string[];
  status?: string[];
  group?: string;
  label?: Label[];
  search?: string;
  compliance?: string[];
  output: string;
}

interface ClusterListData {
  clusters: { edges: Array<{ node: { id: string; name: string; status: string } }> };
}

export function registerClusterCommands(program: Command, ctx: CliContext): void {
  const cluster = program.command('cluster').description('attach, list, look at and detach clusters');

  cluster
    .command('attach')
    .description('create the Flotilla agent identity in a cluster (with your kubeconfig) and register the cluster')
    .argument('<name>', 'name of the cluster in Flotilla')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <context>', 'kubeconfig context (default: the current context)')
    .option('--group <group>', 'cluster group name (or id)')
    .option('--label <key=value>', 'label for the cluster; repeatable', collectLabel)
    .option('--update', 'when the cluster is already attached, refresh the agent identity in the cluster and the credential Flotilla stores, and succeed')
    .option(
      '--bindable-role <role>',
      `a ClusterRole the agent may bind, so ACCESS policies can grant it; repeatable (default: ${DEFAULT_BINDABLE_ROLES.join(', ')})`,
      collectRole,
    )
    .option('--allow-bind-cluster-admin', `also let the agent bind ${CLUSTER_ADMIN_ROLE} (whoever holds its token could then become cluster-admin; stored on the cluster and audited)`)
    .option('--allow-provisioning', 'a management cluster Flotilla may create clusters on: the agent may also create and delete Cluster API Clusters and get (never list) Secrets, to read the <name>-kubeconfig of a cluster it provisioned')
    .option('--token-ttl <duration>', `lifetime of the short-lived token Flotilla holds (for example 24h, 90m, 3600; at least 10m; default ${DEFAULT_TOKEN_TTL_SECONDS / 3600}h); Flotilla renews it when 20 % of it is left`)
    .option('--use-system-trust-roots', "send no CA: Flotilla verifies the API server against the system's public roots only (for API servers with a publicly trusted certificate)")
    .option('--agent', 'connect through an outbound agent in the cluster instead: Flotilla stores no credential and never dials the API server')
    .option('--agent-image <image>', `with --agent: the agent's container image (default ${DEFAULT_AGENT_IMAGE})`)
    .option('--no-wait', 'with --agent: do not wait for the agent to connect and the cluster to turn CONNECTED')
    .option('--wait-timeout <seconds>', 'with --agent: how long to wait for CONNECTED (default 300)')
    .option('--agent-kubeconfig-out <file>', "with --agent: also write the agent's own identity (service account) as a kubeconfig, for flotilla agent run --kubeconfig FILE")
    .addHelpText(
      'after',
      `
Only a short-lived token of the agent's service account (a TokenRequest, --token-ttl), the API
server URL and its CA are sent to Flotilla; your own kubeconfig credentials never leave this
machine, and no long-lived token Secret is created. Flotilla renews the token itself, as the agent,
through a Role in ${AGENT_NAMESPACE} that allows creating tokens for ${AGENT_SERVICE_ACCOUNT} only.
Re-running is safe: the objects in ${AGENT_NAMESPACE} are brought to the desired state. An already
attached name fails (exit 1) unless --update is given, which also replaces a long-lived token
from an older attach (and deletes the token Secret that attach created).

The agent (ClusterRole ${AGENT_CLUSTER_ROLE}) reads what scans, syncs and inspections need, writes
only the kinds ENFORCE creates (RoleBindings, ClusterRoleBindings, NetworkPolicies,
ResourceQuotas, namespace labels) and deletes only those, patches Cluster API Clusters for
upgrades, and binds only the ClusterRoles named by --bindable-role (never ${CLUSTER_ADMIN_ROLE}
unless --allow-bind-cluster-admin). It has no escalate, no impersonate and no access to Secrets (with --allow-provisioning: get of a
Secret by name, for the kubeconfig Cluster API writes, and Cluster create/delete).`,
    )
    .action(async (name: string, opts: AttachOptions) => attach(ctx, name, opts));

  cluster
    .command('list')
    .description('list the clusters of your organization, filtered by the API')
    .addOption(enumListOption('--provider <providers>', 'provider', PROVIDERS))
    .addOption(enumListOption('--status <statuses>', 'status', CLUSTER_STATUSES))
    .option('--group <group>', 'only the clusters of this group (name or id)')
    .option('--label <key=value>', 'only clusters with this label; repeatable (all must match)', collectLabel)
    .option('--search <text>', 'name, region or version contains this text')
    .addOption(enumListOption('--compliance <statuses>', 'compliance status', COMPLIANCE_STATUSES))
    .addOption(outputOption())
    .action(async (opts: ListOptions) => {
      const client = apiClient(ctx);
      const filter: Record<string, unknown> = {};
      if (opts.provider) filter.providers = opts.provider;
      if (opts.status) filter.statuses = opts.status;
      if (opts.group) filter.groupId = await resolveGroupId(client, opts.group);
      if (opts.label) filter.labels = opts.label;
      if (opts.search) filter.search = opts.search;
      if (opts.compliance) filter.complianceStatuses = opts.compliance;
      const rows = await listClusters<ClusterListRow>(client, filter);
      if (rows.length === 0 && opts.output === 'table') {
        const filtered = Object.keys(filter).length > 0;
        return ctx.io.err(filtered ? 'No clusters match these filters\n' : 'No clusters yet: attach one with flotilla cluster attach NAME\n');
      }
      emit(ctx.io, opts.output, rows, () => clusterTable(rows));
    });

  cluster
    .command('get')
    .description('one cluster: status and its reason, connection, versions, compliance, available upgrades, recent upgrades and inspections')
    .argument('<name>', 'cluster name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output: string }) => {
      const client = apiClient(ctx);
      const found = await findClusterByName(client, name);
      const { cluster: c } = await client.request<{ cluster: ClusterDetail | null }>('CliClusterDetail', { id: found.id });
      if (!c) throw new CliError(`cluster ${name} disappeared`);
      const detail = { ...c, upgrades: c.upgrades.edges.map((e) => e.node), inspections: c.inspections.edges.map((e) => e.node) };
      emit(ctx.io, opts.output, detail, () => formatClusterDetail(detail));
    });

  cluster
    .command('detach')
    .description('remove a cluster from Flotilla (its stored credentials are no longer used)')
    .argument('<name>', 'cluster name')
    .action(async (name: string) => {
      const client = apiClient(ctx);
      const found = await findClusterByName(client, name);
      if (found.status === 'DETACHED') return ctx.io.err(`cluster ${name} is already detached\n`);
      await client.request('DetachCluster', { id: found.id });
      ctx.io.out(`cluster/${name} detached\n`);
      ctx.io.err(
        `The agent identity is still in the cluster; to remove it and revoke its token:\n  kubectl delete namespace ${AGENT_NAMESPACE}; kubectl delete clusterrolebinding ${AGENT_CLUSTER_ROLE_BINDING}; kubectl delete clusterrole ${AGENT_CLUSTER_ROLE}\n`,
      );
    });

  registerProvisionCommands(cluster, ctx);
}

async function attach(ctx: CliContext, name: string, opts: AttachOptions): Promise<void> {
  if (opts.agent) return attachThroughAgent(ctx, name, opts);
  if (opts.agentImage || opts.agentKubeconfigOut || opts.wait === false || opts.waitTimeout) {
    throw new CliError('--agent-image, --agent-kubeconfig-out, --no-wait and --wait-timeout need --agent', EXIT_USAGE);
  }
  // Everything that can be checked without touching the cluster comes first: the name by the API's own rule.
  try {
    clusterName(name, 'name');
  } catch (err) {
    if (err instanceof InputValidationError) throw new CliError(`cluster ${err.message}`, EXIT_USAGE);
    throw err;
  }
  const client = apiClient(ctx);
  const groupId = opts.group ? await resolveGroupId(client, opts.group) : undefined;
  const existing = await findLiveCluster(client, name);
  if (existing && !opts.update) throw alreadyAttached(name, existing.id);

  const checked = checkBindableRoles(opts.bindableRole ?? DEFAULT_BINDABLE_ROLES, opts.allowBindClusterAdmin === true);
  if ('problem' in checked) throw new CliError(`--bindable-role: ${checked.problem}${/opt-in/.test(checked.problem) ? ' (--allow-bind-cluster-admin)' : ''}`, 2);
  const bindableRoles = checked.roles;
  let tokenTtlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
  if (opts.tokenTtl !== undefined) {
    const ttl = parseTokenTtl(opts.tokenTtl);
    if ('problem' in ttl) throw new CliError(`--token-ttl: ${ttl.problem}`, EXIT_USAGE);
    tokenTtlSeconds = ttl.seconds;
  }

  const kubeConfig = loadKubeConfig(opts.kubeconfig);
  const credentials = await ensureAgentIdentity(kubeConfig, opts.context, {
    onProgress: (line) => ctx.io.err(`${line}\n`),
    bindableRoles,
    tokenTtlSeconds,
    provisioning: opts.allowProvisioning === true,
  });
  ctx.io.err(`token for serviceaccount/${AGENT_SERVICE_ACCOUNT} issued (expires ${credentials.tokenExpiresAt.toISOString()})\n`);
  const credential = { token: credentials.token, tokenExpiresAt: credentials.tokenExpiresAt.toISOString() };
  // Once the short-lived credential is stored, the long-lived one an older attach left goes.
  const dropLegacySecret = async () => reportLegacySecret(ctx, await removeLegacyTokenSecret(kubeConfig, opts.context));
  if (!credentials.caData && !opts.useSystemTrustRoots) {
    throw new CliError(
      'neither the kubeconfig nor the cluster offered a CA certificate; pass --use-system-trust-roots if the API server has a publicly trusted certificate (the agent identity is in place; re-run with the flag)',
    );
  }
  // With --use-system-trust-roots no CA is sent: the worker trusts the public roots only.
  const caData = opts.useSystemTrustRoots ? null : (credentials.caData ?? null);
  const trust = { caData, ...(opts.useSystemTrustRoots ? { useSystemTrustRoots: true } : {}) };
  const binding = { bindableRoles, ...(opts.allowBindClusterAdmin ? { allowClusterAdminBinding: true } : {}) };
  if (opts.allowBindClusterAdmin) ctx.io.err(`warning: the agent may bind ${CLUSTER_ADMIN_ROLE}: whoever holds its token can become cluster-admin\n`);
  if (existing) {
    // The stored credential may be stale (a rotated token, a new CA): send the current one.
    await client.request('UpdateCluster', {
      id: existing.id,
      input: { apiServerUrl: credentials.apiServerUrl, ...credential, ...trust, ...binding },
    });
    await dropLegacySecret();
    ctx.io.out(`cluster/${name} already attached (${existing.id}); agent identity and stored credential refreshed\n`);
    return;
  }

  let data: AttachClusterData;
  try {
    data = await client.request<AttachClusterData>('AttachCluster', {
      input: { name, apiServerUrl: credentials.apiServerUrl, ...credential, ...trust, ...binding, groupId: groupId ?? null, labels: opts.label ?? [] },
    });
  } catch (err) {
    if (err instanceof GraphqlRequestError && err.code === 'CONFLICT') {
      if (opts.update) {
        ctx.io.out(`cluster/${name} already attached; agent identity refreshed\n`);
        return;
      }
      throw new CliError(
        `cluster ${name} is already attached (the API refused a second registration); the agent identity in the cluster is up to date. Use --update to accept that, or flotilla cluster detach ${name} first`,
      );
    }
    throw err;
  }
  await dropLegacySecret();
  const c = data.attachCluster;
  ctx.io.out(`cluster/${c.name} attached (${c.id}, status ${c.status}, ${c.apiServerUrl})\n`);
}

interface RegisterAgentData {
  registerAgentCluster: { cluster: { id: string; name: string; status: string }; registrationToken: string; registrationExpiresAt: string; agentEndpoint: string };
}

interface ConnectionData {
  cluster: { id: string; name: string; status: string; statusReason: string | null; connection: { mode: string; agentVersion: string | null; connectedAt: string | null; lastHeartbeatAt: string | null } } | null;
}

/**
 * attach --agent: the same least-privilege identity, then registerAgentCluster, the registration
 * Secret and the agent's Deployment; then (unless --no-wait) wait, saying what it waits for, until
 * the agent has connected and the first sync through it has succeeded.
 */
async function attachThroughAgent(ctx: CliContext, name: string, opts: AttachOptions): Promise<void> {
  try {
    clusterName(name, 'name');
  } catch (err) {
    if (err instanceof InputValidationError) throw new CliError(`cluster ${err.message}`, EXIT_USAGE);
    throw err;
  }
  if (opts.update || opts.useSystemTrustRoots) throw new CliError('--update and --use-system-trust-roots do not apply with --agent (register again after flotilla cluster detach NAME)', EXIT_USAGE);
  const timeoutSeconds = opts.waitTimeout === undefined ? 300 : Number(opts.waitTimeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw new CliError('--wait-timeout: a whole number of seconds, at least 1', EXIT_USAGE);
  const client = apiClient(ctx);
  const groupId = opts.group ? await resolveGroupId(client, opts.group) : undefined;
  const existing = await findLiveCluster(client, name);
  if (existing) throw alreadyAttached(name, existing.id);
  const checked = checkBindableRoles(opts.bindableRole ?? DEFAULT_BINDABLE_ROLES, opts.allowBindClusterAdmin === true);
  if ('problem' in checked) throw new CliError(`--bindable-role: ${checked.problem}`, 2);

  const kubeConfig = loadKubeConfig(opts.kubeconfig);
  const progress = (line: string) => ctx.io.err(`${line}\n`);
  const identity = await ensureAgentIdentity(kubeConfig, opts.context, { onProgress: progress, bindableRoles: checked.roles });
  const { registerAgentCluster: reg } = await client.request<RegisterAgentData>('RegisterAgentCluster', { input: { name, groupId: groupId ?? null, labels: opts.label ?? [] } });
  await applyAgentMode(kubeConfig, opts.context, reg, { image: opts.agentImage, onProgress: progress });
  if (opts.agentKubeconfigOut) {
    writeAgentKubeconfig(opts.agentKubeconfigOut, identity);
    progress(`wrote the agent's identity to ${opts.agentKubeconfigOut} (for flotilla agent run --kubeconfig ${opts.agentKubeconfigOut})`);
  }
  ctx.io.out(`cluster/${name} registered (${reg.cluster.id}, connection AGENT, status ${reg.cluster.status}); the agent connects to ${reg.agentEndpoint}\n`);
  if (opts.wait === false) return;
  await waitForAgent(ctx, client, reg.cluster.id, name, timeoutSeconds, reg.registrationExpiresAt);
}

async function waitForAgent(ctx: CliContext, client: GraphqlClient, id: string, name: string, timeoutSeconds: number, expiresAt: string): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let said = '';
  const say = (line: string) => {
    if (line !== said) ctx.io.err(`${line}\n`);
    said = line;
  };
  for (;;) {
    const { cluster: c } = await client.request<ConnectionData>('ClusterConnection', { id });
    if (!c) throw new CliError(`cluster ${name} disappeared while waiting for its agent`);
    if (c.status === 'CONNECTED' && c.connection.connectedAt) {
      ctx.io.out(`cluster/${name} CONNECTED through its agent (version ${c.connection.agentVersion ?? 'unknown'})\n`);
      return;
    }
    if (!c.connection.connectedAt) say(`waiting for the agent to connect (its registration expires at ${expiresAt}; outside a pod: flotilla agent run --kubeconfig FILE)`);
    else say(`agent connected (version ${c.connection.agentVersion ?? 'unknown'}); waiting for the first sync through it (status ${c.status})`);
    if (Date.now() >= deadline) {
      throw new CliError(`cluster ${name} is not CONNECTED after ${timeoutSeconds} s (status ${c.status}${c.statusReason ? `: ${c.statusReason}` : ''}); the agent keeps trying — check its Deployment in flotilla-system, or re-run with a larger --wait-timeout`);
    }
    // Product code, not a test: a bounded poll of the cluster's status while the operator watches.
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The live (not DETACHED) cluster of that name, looked up by search so a big fleet costs one request. */
async function findLiveCluster(client: GraphqlClient, name: string): Promise<{ id: string } | undefined> {
  const data = await client.request<ClusterListData>('ClusterList', {
    filter: { search: name },
    first: 100,
    orderBy: { field: 'NAME', direction: 'ASC' },
  });
  return data.clusters.edges.map((e) => e.node).find((c) => c.name === name && c.status !== 'DETACHED');
}

function reportLegacySecret(ctx: CliContext, outcome: LegacySecretOutcome): void {
  if (outcome === 'deleted') ctx.io.err(`secret/${AGENT_TOKEN_SECRET} deleted (its long-lived token is revoked)\n`);
  if (outcome === 'not-flotilla') ctx.io.err(`warning: secret ${AGENT_NAMESPACE}/${AGENT_TOKEN_SECRET} was not created by Flotilla; left in place\n`);
}

function collectRole(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function alreadyAttached(name: string, id: string): CliError {
  return new CliError(
    `cluster ${name} is already attached (${id}); nothing was changed. Use --update to refresh its agent identity in the cluster, or flotilla cluster detach ${name} first`,
  );
}
