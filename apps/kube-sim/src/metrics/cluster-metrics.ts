/**
 * Per-cluster Prometheus text at /clusters/<name>/metrics: request counts and
 * apiserver_requested_deprecated_apis for the deprecated APIs the cluster's seeded clients use
 * (from the generator) and any deprecated API actually requested.
 */
import type { DeprecatedApiUse } from '../content/contract';
import type { ClusterRecord } from '../fleet/cluster-record';

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.keys(pairs)
    .sort()
    .map((k) => `${k}="${esc(pairs[k])}"`)
    .join(',')}}`;
}

export function countRequest(record: ClusterRecord, verb: string, group: string, version: string, resource: string, code: number): void {
  const key = `${verb}|${group}|${version}|${resource}|${code}`;
  // Bounded: the label space is the catalogue times a handful of verbs and codes.
  if (record.requestCount.size < 5000 || record.requestCount.has(key)) record.requestCount.set(key, (record.requestCount.get(key) ?? 0) + 1);
}

/** Counts a request by its client's product name (User-Agent up to the first "/" or space; bounded to 50 names). */
export function countClient(record: ClusterRecord, userAgent: string | undefined): void {
  const product = (userAgent ?? '').split(/[/\s]/)[0].slice(0, 64) || '(none)';
  if (record.clientCount.size < 50 || record.clientCount.has(product)) record.clientCount.set(product, (record.clientCount.get(product) ?? 0) + 1);
}

export function deprecatedKey(u: DeprecatedApiUse): string {
  return `${u.group}|${u.version}|${u.resource}|${u.subresource ?? ''}|${u.removedRelease}`;
}

export function renderMetrics(record: ClusterRecord): string {
  const lines: string[] = [];
  lines.push('# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.');
  lines.push('# TYPE apiserver_requested_deprecated_apis gauge');
  const keys = new Set<string>([...(record.deprecatedApiUse ?? []).map(deprecatedKey), ...record.requestedDeprecated]);
  for (const k of [...keys].sort()) {
    const [group, version, resource, subresource, removed] = k.split('|');
    lines.push(`apiserver_requested_deprecated_apis${labels({ group, version, resource, subresource, removed_release: removed })} 1`);
  }
  lines.push('# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.');
  lines.push('# TYPE apiserver_request_total counter');
  for (const [k, n] of [...record.requestCount.entries()].sort()) {
    const [verb, group, version, resource, code] = k.split('|');
    lines.push(`apiserver_request_total${labels({ code, component: 'apiserver', dry_run: '', group, resource, scope: '', subresource: '', verb: verb.toUpperCase(), version })} ${n}`);
  }
  lines.push('# HELP kubernetes_build_info [ALPHA] A metric with a constant \'1\' value labeled by major, minor, git version, git commit, git tree state, build date, Go version, and compiler from which Kubernetes was built, and platform on which it is running.');
  lines.push('# TYPE kubernetes_build_info gauge');
  const v = record.versionInfo;
  if (v) lines.push(`kubernetes_build_info${labels({ build_date: v.buildDate, compiler: v.compiler, git_commit: v.gitCommit, git_tree_state: v.gitTreeState, git_version: v.gitVersion, go_version: v.goVersion, major: v.major, minor: v.minor, platform: v.platform })} 1`);
  return `${lines.join('\n')}\n`;
}
