import { InvalidArgumentError, Option } from 'commander';
import { Label } from './labels';
import { formatFields, formatTable, timeAgo, truncate } from './output';

/** The API's enums, as `cluster list` filters accept them (a typo is a usage error, exit 2). */
export const PROVIDERS = ['VSPHERE', 'EKS', 'GKE', 'AKS', 'OPENSHIFT', 'GENERIC'];
export const CLUSTER_STATUSES = ['PENDING', 'CONNECTED', 'DEGRADED', 'UNREACHABLE', 'DETACHED'];
export const COMPLIANCE_STATUSES = ['COMPLIANT', 'NON_COMPLIANT', 'ERROR', 'UNKNOWN'];

interface Compliance {
  status: string;
  violationCount: number;
  checkedAt: string | null;
  reason: string | null;
}

export interface ClusterListRow {
  id: string;
  name: string;
  provider: string;
  region: string | null;
  kubernetesVersion: string | null;
  status: string;
  statusReason: string | null;
  nodeCount: number;
  readyNodeCount: number;
  lastSeenAt: string | null;
  labels: Label[];
  group: { id: string; name: string } | null;
  compliance: Compliance;
}

export interface ClusterDetail extends ClusterListRow {
  apiServerUrl: string;
  attachedAt: string;
  availableUpgrades: string[];
  policyResults: Array<{
    policy: { name: string; type: string; mode: string };
    status: string;
    error: string | null;
    checkedAt: string;
    violations: Array<{ kind: string; namespace: string | null; name: string; message: string }>;
  }>;
  upgrades: { edges: Array<{ node: RecentUpgrade }> };
  inspections: { edges: Array<{ node: RecentInspection }> };
}

interface RecentUpgrade {
  id: string;
  fromVersion: string;
  toVersion: string;
  status: string;
  phase: string | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

interface RecentInspection {
  id: string;
  kind: string;
  status: string;
  passed: number;
  failed: number;
  warnings: number;
  error: string | null;
  finishedAt: string | null;
}

/** What `cluster get` prints for -o json|yaml: the connections flattened to lists. */
export type ClusterDetailView = Omit<ClusterDetail, 'upgrades' | 'inspections'> & { upgrades: RecentUpgrade[]; inspections: RecentInspection[] };

/** `--status connected,degraded --status pending` → ['CONNECTED', 'DEGRADED', 'PENDING']; unknown → exit 2 naming the choices. */
export function enumList(what: string, allowed: readonly string[]) {
  return (text: string, previous: string[] = []): string[] => {
    const values = text
      .split(',')
      .map((v) => v.trim().toUpperCase().replace(/-/g, '_'))
      .filter(Boolean);
    for (const v of values) if (!allowed.includes(v)) throw new InvalidArgumentError(`unknown ${what} ${JSON.stringify(v)}: one of ${allowed.join(', ')}`);
    return [...new Set([...previous, ...values])];
  };
}

/** A repeatable, comma-separated enum filter; its choices show in --help and shell completion. */
export function enumListOption(flags: string, what: string, allowed: readonly string[]): Option {
  const option = new Option(flags, `only these (comma-separated or repeated)`).argParser(enumList(what, allowed));
  option.argChoices = [...allowed];
  return option;
}

/** "NON_COMPLIANT (12)", "COMPLIANT", "UNKNOWN". */
export function complianceCell(c: Compliance): string {
  return c.status === 'NON_COMPLIANT' ? `${c.status} (${c.violationCount})` : c.status;
}

/** Why a cluster is not fine, in one cell: the status reason, else why its last scan errored. */
export function reasonCell(c: Pick<ClusterListRow, 'statusReason' | 'compliance'>): string | null {
  if (c.statusReason) return c.statusReason;
  if (c.compliance.status === 'ERROR' && c.compliance.reason) return `scan: ${c.compliance.reason}`;
  return null;
}

export function clusterTable(rows: ClusterListRow[], now = new Date()): string {
  return formatTable(
    ['NAME', 'STATUS', 'PROVIDER', 'VERSION', 'NODES', 'REGION', 'GROUP', 'COMPLIANCE', 'LAST SEEN', 'REASON'],
    rows.map((c) => [
      c.name,
      c.status,
      c.provider,
      c.kubernetesVersion,
      `${c.readyNodeCount}/${c.nodeCount}`,
      c.region,
      c.group?.name,
      complianceCell(c.compliance),
      timeAgo(c.lastSeenAt, now),
      // The last column is not padded: a long reason costs nothing to the others.
      truncate(reasonCell(c), 100),
    ]),
  );
}

export function formatClusterDetail(c: ClusterDetailView, now = new Date()): string {
  const sections: string[] = [];
  sections.push(
    formatFields([
      ['Name', c.name],
      ['ID', c.id],
      ['Status', c.status],
      ['Reason', c.statusReason],
      ['Provider', c.provider],
      ['Region', c.region],
      ['Version', c.kubernetesVersion],
      ['Nodes', `${c.readyNodeCount}/${c.nodeCount} Ready`],
      ['API server', c.apiServerUrl],
      ['Attached', `${c.attachedAt} (${timeAgo(c.attachedAt, now)})`],
      ['Last seen', timeAgo(c.lastSeenAt, now)],
      ['Group', c.group?.name],
      ['Labels', c.labels.map((l) => `${l.key}=${l.value}`).join(', ')],
      [
        'Compliance',
        `${complianceCell(c.compliance)}${c.compliance.checkedAt ? `, checked ${timeAgo(c.compliance.checkedAt, now)}` : ', never scanned'}${c.compliance.reason ? ` — ${c.compliance.reason}` : ''}`,
      ],
      ['Upgrades to', c.availableUpgrades.length ? c.availableUpgrades.join(', ') : 'none available (flotilla upgrade list-available for why)'],
    ]),
  );
  if (c.policyResults.length) {
    sections.push(
      formatTable(
        ['POLICY', 'TYPE', 'MODE', 'RESULT', 'VIOLATIONS', 'FIRST VIOLATION OR ERROR'],
        c.policyResults.map((r) => [
          r.policy.name,
          r.policy.type,
          r.policy.mode,
          r.status,
          r.violations.length,
          truncate(r.error ?? (r.violations[0] ? describeViolation(r.violations[0]) : null), 100),
        ]),
      ),
    );
  }
  if (c.upgrades.length) {
    sections.push(formatTable(['UPGRADE', 'FROM', 'TO', 'STATUS', 'PHASE', 'ERROR'], c.upgrades.map((u) => [u.id, u.fromVersion, u.toVersion, u.status, u.phase, truncate(u.error, 100)])));
  }
  if (c.inspections.length) {
    sections.push(
      formatTable(
        ['INSPECTION', 'KIND', 'STATUS', 'PASSED', 'FAILED', 'WARNINGS', 'FINISHED', 'ERROR'],
        c.inspections.map((i) => [i.id, i.kind, i.status, i.passed, i.failed, i.warnings, timeAgo(i.finishedAt, now), truncate(i.error, 100)]),
      ),
    );
  }
  return sections.join('\n');
}

export function describeViolation(v: { kind: string; namespace: string | null; name: string; message: string }): string {
  return `${v.kind} ${v.namespace ? `${v.namespace}/` : ''}${v.name}: ${v.message}`;
}
