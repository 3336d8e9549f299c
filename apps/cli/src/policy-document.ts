import { parseAllDocuments } from 'yaml';
import { CliError } from './cli-error';

export const POLICY_TYPES = ['ACCESS', 'NETWORK', 'QUOTA', 'IMAGE_REGISTRY', 'SECURITY', 'LABELS', 'CUSTOM'] as const;
export const POLICY_MODES = ['AUDIT', 'ENFORCE'] as const;

/** A scope as written in a file: by name (group, cluster) or by id. */
export type ScopeRef =
  | { kind: 'ORGANIZATION' }
  | { kind: 'GROUP'; group?: string; groupId?: string }
  | { kind: 'CLUSTER'; cluster?: string; clusterId?: string };

export interface PolicyDocument {
  name: string;
  type: string;
  mode: string;
  spec: Record<string, unknown>;
  scope: ScopeRef;
}

const KEYS = ['name', 'type', 'mode', 'spec', 'scope'];

/**
 * Parses a policy file: one or many YAML documents `{name, type, mode, spec, scope}`. Every problem
 * in every document is reported at once, before anything is sent. `mode` defaults to AUDIT and
 * `scope` to the whole organization; `scope` may be `ORGANIZATION`, `{kind: GROUP, group: NAME}`
 * or `{kind: CLUSTER, cluster: NAME}` (or groupId / clusterId).
 */
export function parsePolicyFile(text: string, source: string): PolicyDocument[] {
  const problems: string[] = [];
  const policies: PolicyDocument[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${source} document ${i + 1}`;
    if (doc.errors.length) {
      problems.push(`${where}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document (a trailing ---)
    const p = checkPolicy(value, (msg) => problems.push(`${where}: ${msg}`));
    if (p) policies.push(p);
  });
  const seen = new Set<string>();
  for (const p of policies) {
    if (seen.has(p.name)) problems.push(`${source}: policy ${p.name} appears more than once`);
    seen.add(p.name);
  }
  if (problems.length) throw new CliError(`${source} is not a valid policy file:\n  ${problems.join('\n  ')}`);
  if (!policies.length) throw new CliError(`${source} holds no policy`);
  return policies;
}

function checkPolicy(value: unknown, report: (msg: string) => void): PolicyDocument | undefined {
  if (!isObject(value)) return report('expected a mapping with name, type, mode, spec and scope'), undefined;
  const problems: string[] = [];
  const problem = (msg: string) => problems.push(msg);
  const unknown = Object.keys(value).filter((k) => !KEYS.includes(k));
  if (unknown.length) problem(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (expected ${KEYS.join(', ')})`);
  const { name, type, mode = 'AUDIT', spec, scope } = value;
  if (typeof name !== 'string' || !name.trim()) problem('name is required');
  if (typeof type !== 'string' || !(POLICY_TYPES as readonly string[]).includes(type)) problem(`type must be one of ${POLICY_TYPES.join(', ')}`);
  if (typeof mode !== 'string' || !(POLICY_MODES as readonly string[]).includes(mode)) problem('mode must be AUDIT or ENFORCE');
  if (!isObject(spec)) problem('spec must be a mapping (see the policy types in the documentation)');
  const scopeRef = checkScope(scope, problem);
  const label = typeof name === 'string' && name.trim() ? `policy ${name.trim()}: ` : '';
  problems.forEach((m) => report(label + m));
  if (problems.length || !scopeRef) return undefined;
  return { name: (name as string).trim(), type: type as string, mode: mode as string, spec: spec as Record<string, unknown>, scope: scopeRef };
}

function checkScope(scope: unknown, problem: (msg: string) => void): ScopeRef | undefined {
  if (scope === undefined || scope === 'ORGANIZATION') return { kind: 'ORGANIZATION' };
  if (!isObject(scope)) return problem('scope must be ORGANIZATION, {kind: GROUP, group: NAME} or {kind: CLUSTER, cluster: NAME}'), undefined;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  switch (scope.kind) {
    case 'ORGANIZATION':
      return { kind: 'ORGANIZATION' };
    case 'GROUP':
      if (!str(scope.group) === !str(scope.groupId)) return problem('a GROUP scope names exactly one of group or groupId'), undefined;
      return { kind: 'GROUP', group: str(scope.group), groupId: str(scope.groupId) };
    case 'CLUSTER':
      if (!str(scope.cluster) === !str(scope.clusterId)) return problem('a CLUSTER scope names exactly one of cluster or clusterId'), undefined;
      return { kind: 'CLUSTER', cluster: str(scope.cluster), clusterId: str(scope.clusterId) };
    default:
      return problem('scope.kind must be ORGANIZATION, GROUP or CLUSTER'), undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with sorted keys, to tell whether a stored spec already equals the file's. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
