import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { ClusterRow, listAllClusters, resolveGroupId } from '../cluster-lookup';
import { GraphqlClient } from '../graphql-client';
import { PolicyDocument, canonicalJson, parsePolicyFile } from '../policy-document';

interface StoredPolicy {
  id: string;
  name: string;
  type: string;
  mode: string;
  spec: unknown;
  scope: { kind: string; group: { id: string; name: string } | null; cluster: { id: string; name: string } | null };
}

interface ScopeInput {
  kind: string;
  groupId?: string;
  clusterId?: string;
}

export function registerPolicyCommands(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description('manage policies');
  policy
    .command('apply')
    .description('create or update policies from a YAML file (one or many documents), matched by name')
    .requiredOption('-f, --filename <file>', 'policy file; - reads stdin')
    .addHelpText(
      'after',
      `
Each document: {name, type, mode, spec, scope}. mode defaults to AUDIT; scope to the whole
organization, or {kind: GROUP, group: NAME} / {kind: CLUSTER, cluster: NAME}.
A policy whose name exists is updated (mode and spec); its type and scope cannot change.
Prints policy/NAME created|configured|unchanged; exits 1 if any policy was not applied.`,
    )
    .action(async (opts: { filename: string }) => {
      const source = opts.filename === '-' ? 'stdin' : opts.filename;
      const docs = parsePolicyFile(readPolicyFile(opts.filename), source);
      const client = apiClient(ctx);
      const { policies } = await client.request<{ policies: StoredPolicy[] }>('Policies');
      const existing = new Map(policies.map((p) => [p.name, p]));
      const scopes = new ScopeResolver(client);
      let failed = 0;
      for (const doc of docs) {
        try {
          const outcome = await applyOne(client, doc, existing.get(doc.name), await scopes.resolve(doc));
          ctx.io.out(`policy/${doc.name} ${outcome}\n`);
        } catch (err) {
          if (!(err instanceof CliError)) throw err;
          failed++;
          ctx.io.err(`error: policy/${doc.name}: ${err.message}\n`);
        }
      }
      if (failed) throw new CliError(`${failed} of ${docs.length} ${docs.length === 1 ? 'policy' : 'policies'} not applied`);
    });
}

function readPolicyFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function applyOne(client: GraphqlClient, doc: PolicyDocument, stored: StoredPolicy | undefined, scope: ScopeInput): Promise<string> {
  if (!stored) {
    await client.request('CreatePolicy', { input: { name: doc.name, type: doc.type, mode: doc.mode, spec: doc.spec, scope } });
    return 'created';
  }
  if (stored.type !== doc.type) throw new CliError(`exists with type ${stored.type}; a policy's type cannot change (delete it first, or use another name)`);
  const storedScope: ScopeInput = { kind: stored.scope.kind, groupId: stored.scope.group?.id, clusterId: stored.scope.cluster?.id };
  if (canonicalJson(storedScope) !== canonicalJson(scope)) {
    throw new CliError(`exists with scope ${describeScope(stored)}; a policy's scope cannot change (delete it first, or use another name)`);
  }
  if (stored.mode === doc.mode && canonicalJson(stored.spec) === canonicalJson(doc.spec)) return 'unchanged';
  await client.request('UpdatePolicy', { id: stored.id, input: { mode: doc.mode, spec: doc.spec } });
  return 'configured';
}

function describeScope(p: StoredPolicy): string {
  if (p.scope.kind === 'GROUP') return `group ${p.scope.group?.name ?? '?'}`;
  if (p.scope.kind === 'CLUSTER') return `cluster ${p.scope.cluster?.name ?? '?'}`;
  return 'organization';
}

/** Group and cluster names to ids, each list fetched at most once per apply. */
class ScopeResolver {
  private clusters?: Promise<ClusterRow[]>;
  private groups = new Map<string, Promise<string>>();

  constructor(private readonly client: GraphqlClient) {}

  async resolve(doc: PolicyDocument): Promise<ScopeInput> {
    const s = doc.scope;
    if (s.kind === 'GROUP') {
      if (s.groupId) return { kind: 'GROUP', groupId: s.groupId };
      const name = s.group as string;
      if (!this.groups.has(name)) this.groups.set(name, resolveGroupId(this.client, name));
      return { kind: 'GROUP', groupId: await (this.groups.get(name) as Promise<string>) };
    }
    if (s.kind === 'CLUSTER') {
      if (s.clusterId) return { kind: 'CLUSTER', clusterId: s.clusterId };
      this.clusters ??= listAllClusters(this.client);
      const found = (await this.clusters).find((c) => c.name === s.cluster && c.status !== 'DETACHED');
      if (!found) throw new CliError(`no cluster named ${JSON.stringify(s.cluster)} for its scope`);
      return { kind: 'CLUSTER', clusterId: found.id };
    }
    return { kind: 'ORGANIZATION' };
  }
}
