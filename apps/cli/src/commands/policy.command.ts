import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { ClusterRow, listClusters, resolveGroupId } from '../cluster-lookup';
import { GraphqlClient } from '../graphql-client';
import { PolicyDocument, ScopeRef, canonicalJson, parsePolicyFile } from '../policy-document';
import { emit, formatTable, formatYaml, outputOption } from '../output';

interface StoredPolicy {
  id: string;
  createdAt: string;
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
    .option('--preview', 'apply nothing: evaluate each policy on the fleet\'s latest cached snapshots and print the impact; exit 1 if it would make compliant clusters non-compliant')
    .addHelpText(
      'after',
      `
Each document: {name, type, mode, spec, scope}. mode defaults to AUDIT; scope to the whole
organization, or {kind: GROUP, group: NAME} / {kind: CLUSTER, cluster: NAME}.
A policy whose name exists is updated (mode and spec); its type and scope cannot change.
Prints policy/NAME created|configured|unchanged; exits 1 if any policy was not applied.
--preview contacts no cluster and changes nothing: it prints, per policy, the clusters that would
violate it (from the snapshots the last scans cached) and exits 1 if any compliant cluster would
become non-compliant.`,
    )
    .action(async (opts: { filename: string; preview?: boolean }) => {
      const source = opts.filename === '-' ? 'stdin' : opts.filename;
      const docs = parsePolicyFile(readPolicyFile(opts.filename), source);
      const client = apiClient(ctx);
      if (opts.preview) return previewAll(ctx, client, docs);
      const policies = await listPolicies(client);
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

  policy
    .command('list')
    .description('list the policies: type, mode, scope')
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const policies = await listPolicies(apiClient(ctx));
      if (policies.length === 0 && opts.output === 'table') return ctx.io.err('No policies yet: create some with flotilla policy apply -f FILE\n');
      emit(ctx.io, opts.output, policies, () =>
        formatTable(['NAME', 'TYPE', 'MODE', 'SCOPE', 'ID'], policies.map((p) => [p.name, p.type, p.mode, describeScope(p), p.id])),
      );
    });

  policy
    .command('get')
    .description('one policy as a document `policy apply -f` accepts (edit it and apply it back)')
    .argument('<name>', 'policy name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output: string }) => {
      const p = await findPolicy(apiClient(ctx), name);
      const doc = policyDocument(p);
      emit(ctx.io, opts.output, doc, () => `# policy ${p.id}, created ${p.createdAt}\n${formatYaml(doc)}`);
    });

  policy
    .command('delete')
    .description('delete a policy (its past results are kept; the next scans no longer evaluate it)')
    .argument('<name>', 'policy name')
    .action(async (name: string) => {
      const client = apiClient(ctx);
      const p = await findPolicy(client, name);
      await client.request('DeletePolicy', { id: p.id });
      ctx.io.out(`policy/${p.name} deleted\n`);
    });
}

interface PreviewAnswer {
  evaluatedClusters: number;
  notEvaluatedClusters: number;
  wouldViolateClusters: number;
  newlyNonCompliantClusters: number;
  oldestSnapshotAt: string | null;
  clusters: Array<{ cluster: { name: string }; violationCount: number; violations: Array<{ kind: string; namespace: string | null; name: string; message: string }> }>;
}

/** `policy apply --preview`: the impact of each document, nothing applied; exit 1 when a compliant cluster would turn non-compliant. */
async function previewAll(ctx: CliContext, client: GraphqlClient, docs: PolicyDocument[]): Promise<void> {
  const scopes = new ScopeResolver(client);
  let breaking = 0;
  let failed = 0;
  for (const doc of docs) {
    let p: PreviewAnswer;
    try {
      const scope = await scopes.resolve(doc);
      p = (await client.request<{ previewPolicy: PreviewAnswer }>('CliPreviewPolicy', { input: { name: doc.name, type: doc.type, mode: doc.mode, spec: doc.spec, scope } })).previewPolicy;
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      failed++;
      ctx.io.err(`error: policy/${doc.name}: ${err.message}\n`);
      continue;
    }
    if (p.newlyNonCompliantClusters > 0) breaking++;
    ctx.io.out(previewText(doc.name, p));
  }
  if (failed) throw new CliError(`${failed} of ${docs.length} ${docs.length === 1 ? 'policy' : 'policies'} could not be previewed`);
  if (breaking) throw new CliError(`${breaking} of ${docs.length} ${docs.length === 1 ? 'policy' : 'policies'} would make compliant clusters non-compliant`);
}

export function previewText(name: string, p: PreviewAnswer): string {
  const lines = [
    `policy/${name}: would be violated on ${p.wouldViolateClusters} of ${p.evaluatedClusters} clusters evaluated; ${p.newlyNonCompliantClusters} compliant now would become non-compliant`,
  ];
  if (p.notEvaluatedClusters) lines.push(`  ${p.notEvaluatedClusters} clusters in scope not evaluated (no snapshot yet: run a scan first)`);
  if (p.oldestSnapshotAt) lines.push(`  oldest snapshot used: ${p.oldestSnapshotAt}`);
  let out = `${lines.join('\n')}\n`;
  if (p.clusters.length) {
    const rows = p.clusters.map((c) => {
      const v = c.violations[0];
      return [c.cluster.name, String(c.violationCount), v ? `${v.kind} ${v.namespace ? `${v.namespace}/` : ''}${v.name}: ${v.message}` : ''];
    });
    out += formatTable(['CLUSTER', 'VIOLATIONS', 'FIRST VIOLATION'], rows).replace(/^(?=.)/gm, '  ');
    if (p.wouldViolateClusters > p.clusters.length) out += `  … and ${p.wouldViolateClusters - p.clusters.length} more clusters\n`;
  }
  return out;
}

async function listPolicies(client: GraphqlClient): Promise<StoredPolicy[]> {
  return (await client.request<{ policies: StoredPolicy[] }>('Policies')).policies;
}

async function findPolicy(client: GraphqlClient, name: string): Promise<StoredPolicy> {
  const policies = await listPolicies(client);
  const found = policies.find((p) => p.name === name) ?? policies.find((p) => p.id === name);
  if (!found) throw new CliError(`no policy named ${JSON.stringify(name)} (see flotilla policy list)`);
  return found;
}

/** The stored policy in the file shape (scope by name), so get → edit → apply round-trips. */
export function policyDocument(p: StoredPolicy): PolicyDocument {
  // Policy files have no workspace scope yet: printing one as ORGANIZATION would apply back wider.
  if (p.scope.kind === 'WORKSPACE') throw new CliError(`policy ${p.name} is scoped to a workspace, which policy files cannot express yet: read it through the API`);
  const scope: ScopeRef =
    p.scope.kind === 'GROUP'
      ? { kind: 'GROUP', group: p.scope.group?.name }
      : p.scope.kind === 'CLUSTER'
        ? { kind: 'CLUSTER', cluster: p.scope.cluster?.name }
        : { kind: 'ORGANIZATION' };
  return { name: p.name, type: p.type, mode: p.mode, scope, spec: p.spec as Record<string, unknown> };
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
  if (p.scope.kind === 'WORKSPACE') return 'workspace';
  return 'organization';
}

/** Group and cluster names to ids (groups fetched once per name; clusters looked up by name through the API filter). */
class ScopeResolver {
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
      const found = (await listClusters<ClusterRow>(this.client, { search: s.cluster })).find((c) => c.name === s.cluster && c.status !== 'DETACHED');
      if (!found) throw new CliError(`no cluster named ${JSON.stringify(s.cluster)} for its scope`);
      return { kind: 'CLUSTER', clusterId: found.id };
    }
    return { kind: 'ORGANIZATION' };
  }
}
