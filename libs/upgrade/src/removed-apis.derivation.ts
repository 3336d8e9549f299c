import { parse as parseYaml } from 'yaml';
import { resourceForKind, splitApiVersion } from './api-resource-name';
import type { RemovedApi } from './removed-api.model';

/**
 * Builds the removed-API table from the two oracles in ../shared/oracles/deprecated-apis/. Pure: the
 * caller reads the files (the drift test and the generator script), production code only ever sees the
 * committed output in removed-apis.data.ts.
 *
 * Rules (also written into the data file's header):
 * - Every upstream k8s.io/api lifecycle row with a `removed` release is a row (source "kubernetes").
 * - A Pluto `component: k8s` entry with a removal becomes a row (source "pluto") only when upstream has no
 *   row at all for that apiVersion and kind: where both speak, upstream wins, even on the release.
 * - List kinds are dropped (never requested on their own); so is Pluto's `FlowControl`, a kind that does
 *   not exist. Pluto's duplicate entries collapse.
 * - Releases are minors ("v1.16.0" → "1.16"). The replacement is a group/version: upstream's when it
 *   names one, else Pluto's for the same apiVersion and kind (the sources never disagree on it).
 * - Resources are derived from kinds with the API machinery's pluralisation.
 */

export interface LifecycleRow {
  groupVersion: string;
  kind: string;
  introduced: string | null;
  deprecated: string | null;
  removed: string | null;
  replacement: { groupVersion: string; kind: string } | null;
}

interface PlutoEntry {
  version: string;
  kind: string;
  'deprecated-in': string;
  'removed-in': string;
  'replacement-api': string;
  component: string;
}

export interface Disagreement {
  apiVersion: string;
  kind: string;
  field: 'deprecated' | 'removed';
  kubernetes: string | null;
  pluto: string | null;
}

export interface RemovedApiDerivation {
  table: RemovedApi[];
  /** Pluto k8s entries (apiVersion and kind) that upstream has a row for but dates differently. */
  disagreements: Disagreement[];
  counts: { upstreamRows: number; upstreamRemoved: number; plutoK8sEntries: number; plutoOnlyRows: number; rows: number };
}

const NON_EXISTENT_KINDS = new Set(['flowcontrol.apiserver.k8s.io/v1beta1 FlowControl']);

export function deriveRemovedApiTable(lifecycle: LifecycleRow[], plutoYamlText: string): RemovedApiDerivation {
  const pluto = ((parseYaml(plutoYamlText) as { 'deprecated-versions': PlutoEntry[] })['deprecated-versions'] ?? []).filter(
    (e) => e.component === 'k8s',
  );
  const key = (apiVersion: string, kind: string) => `${apiVersion} ${kind}`;
  const upstream = new Map(lifecycle.map((r) => [key(r.groupVersion, r.kind), r]));
  const plutoByKey = new Map<string, PlutoEntry>();
  for (const e of pluto) if (!plutoByKey.has(key(e.version, e.kind))) plutoByKey.set(key(e.version, e.kind), e);

  const rows = new Map<string, RemovedApi>();
  for (const r of lifecycle) {
    if (r.removed === null || r.kind.endsWith('List')) continue;
    const p = plutoByKey.get(key(r.groupVersion, r.kind));
    rows.set(key(r.groupVersion, r.kind), row(r.groupVersion, r.kind, r.removed, r.deprecated, r.replacement?.groupVersion ?? (p?.['replacement-api'] || null), 'kubernetes'));
  }
  let plutoOnly = 0;
  for (const [k, e] of plutoByKey) {
    if (upstream.has(k) || rows.has(k) || e.kind.endsWith('List') || NON_EXISTENT_KINDS.has(k) || !e['removed-in']) continue;
    rows.set(k, row(e.version, e.kind, minorOf(e['removed-in'])!, minorOf(e['deprecated-in']), e['replacement-api'] || null, 'pluto'));
    plutoOnly++;
  }

  const disagreements: Disagreement[] = [];
  for (const [k, e] of plutoByKey) {
    const u = upstream.get(k);
    if (!u) continue;
    for (const field of ['deprecated', 'removed'] as const) {
      const theirs = minorOf(e[field === 'deprecated' ? 'deprecated-in' : 'removed-in']);
      if ((u[field] ?? null) !== theirs) disagreements.push({ apiVersion: e.version, kind: e.kind, field, kubernetes: u[field] ?? null, pluto: theirs });
    }
  }

  const table = [...rows.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.version.localeCompare(b.version) || a.kind.localeCompare(b.kind),
  );
  return {
    table,
    disagreements,
    counts: {
      upstreamRows: lifecycle.length,
      upstreamRemoved: lifecycle.filter((r) => r.removed !== null).length,
      plutoK8sEntries: pluto.length,
      plutoOnlyRows: plutoOnly,
      rows: table.length,
    },
  };
}

function row(apiVersion: string, kind: string, removedIn: string, deprecatedIn: string | null, replacement: string | null, source: RemovedApi['source']): RemovedApi {
  const { group, version } = splitApiVersion(apiVersion);
  const r: RemovedApi = { group, version, resource: resourceForKind(kind), kind, removedIn, source };
  if (deprecatedIn) r.deprecatedIn = deprecatedIn;
  if (replacement) r.replacement = replacement;
  return r;
}

/** "v1.16.0" → "1.16"; "" → null. */
function minorOf(v: string): string | null {
  const m = /^v?(\d+)\.(\d+)/.exec(v ?? '');
  return m ? `${m[1]}.${m[2]}` : null;
}

/** The committed TypeScript module for a derived table (removed-apis.data.ts). */
export function renderRemovedApiData(d: RemovedApiDerivation): string {
  const lines = d.table.map((r) => `  ${JSON.stringify(r)},`);
  const pairs = (field?: Disagreement['field']) =>
    new Set(d.disagreements.filter((x) => !field || x.field === field).map((x) => `${x.apiVersion} ${x.kind}`)).size;
  return `// GENERATED — do not edit. Regenerate with:
//   npx tsc -p tsconfig.build.json && node dist/libs/upgrade/src/generate-removed-apis.script.js
// Derived by removed-apis.derivation.ts from ../shared/oracles/deprecated-apis/ (see its SOURCE.md):
// - k8s-api-prerelease-lifecycle/lifecycle.json (kubernetes/api zz_generated.prerelease-lifecycle.go,
//   kubernetes-1.36.3+): every row with a removed release (List kinds dropped), source "kubernetes";
// - pluto/versions.yaml (FairwindsOps Pluto v5.24.0): k8s entries only where upstream has no row for the
//   apiVersion and kind, source "pluto"; Pluto only fills a missing replacement on upstream rows.
// They date ${pairs()} apiVersion/kind pairs differently (${pairs('removed')} on the removal release): upstream wins.
// Resources are derived from kinds.
// ${d.counts.rows} rows: ${d.counts.rows - d.counts.plutoOnlyRows} from upstream, ${d.counts.plutoOnlyRows} from Pluto. libs/upgrade's drift test re-derives this.
import type { RemovedApi } from './removed-api.model';

export const REMOVED_APIS: readonly RemovedApi[] = [
${lines.join('\n')}
];
`;
}
