/**
 * What a simulated fleet contains, for people writing tests against kube-sim:
 *   node dist/apps/kube-sim/src/content/fleet-summary.script.js [clusters=20] [seed=1] [--json]
 * Per cluster: flavor, version, nodes, manager, a NotReady node, risky RBAC, deprecated API use and,
 * for Cluster API-managed clusters, the upgrade targets its management cluster offers.
 */
import type { ClusterSpec, GeneratedCluster, KubeObject } from './contract';
import { offeredVersions } from './cluster-api.generator';
import { fleetMix, generateCluster } from './index';
import { parseKubeVersion } from './kube-version';

interface Summary {
  name: string;
  flavor: string;
  version: string;
  nodes: number;
  managedBy?: string;
  notReadyNode?: string;
  risks: string[];
  deprecatedApis: string[];
  upgrades?: { patch: string[]; nextMinor: string[]; skippedMinor: string[] };
}

function risks(objects: KubeObject[]): string[] {
  const out: string[] = [];
  for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')) {
    const ref = (b.roleRef as { name: string }).name;
    const where = b.kind === 'RoleBinding' ? `RoleBinding ${b.metadata.namespace}/${b.metadata.name}` : `ClusterRoleBinding ${b.metadata.name}`;
    for (const s of (b.subjects as Array<{ kind: string; name: string; namespace?: string }>) ?? []) {
      if (ref === 'cluster-admin' && s.kind === 'User' && !s.name.startsWith('system:')) out.push(`${where}: cluster-admin → User ${s.name}`);
      if (ref === 'cluster-admin' && s.kind === 'ServiceAccount' && s.namespace !== 'kube-system') out.push(`${where}: cluster-admin → ServiceAccount ${s.namespace}/${s.name}`);
      if (s.kind === 'ServiceAccount' && s.name === 'default') out.push(`${where}: ${ref} → default ServiceAccount`);
      if ((s.name === 'system:anonymous' || s.name === 'system:unauthenticated') && ref !== 'system:public-info-viewer') out.push(`${where}: ${ref} → ${s.name}`);
    }
  }
  for (const r of objects.filter((o) => o.kind === 'Role' || (o.kind === 'ClusterRole' && o.metadata.name !== 'cluster-admin' && !o.metadata.name.startsWith('capi-')))) {
    const rules = r.rules as Array<{ verbs: string[]; resources?: string[] }>;
    if (rules.some((x) => x.verbs.includes('*') || x.resources?.includes('*'))) out.push(`${r.kind} ${r.metadata.namespace ? `${r.metadata.namespace}/` : ''}${r.metadata.name}: wildcard rule`);
  }
  return out;
}

function summarize(g: GeneratedCluster, offered: string[] | undefined): Summary {
  const notReady = g.objects.find((o) => o.kind === 'Node' && (o.status as { conditions: Array<{ type: string; status: string }> }).conditions.some((c) => c.type === 'Ready' && c.status !== 'True'));
  const s: Summary = {
    name: g.spec.name, flavor: g.spec.flavor, version: g.spec.version, nodes: g.spec.nodes, risks: risks(g.objects),
    deprecatedApis: g.deprecatedApiUse.map((d) => `${d.group}/${d.version} ${d.resource} (removed in ${d.removedRelease})`),
  };
  if (g.spec.managedBy) s.managedBy = g.spec.managedBy;
  if (notReady) s.notReadyNode = notReady.metadata.name;
  if (offered) {
    const v = parseKubeVersion(g.spec.version);
    const pick = (f: (o: ReturnType<typeof parseKubeVersion>) => boolean) => offered.filter((o) => f(parseKubeVersion(o)));
    s.upgrades = { patch: pick((o) => o.minor === v.minor && o.patch > v.patch), nextMinor: pick((o) => o.minor === v.minor + 1), skippedMinor: pick((o) => o.minor === v.minor + 2) };
  }
  return s;
}

function main(): void {
  const count = Number(process.argv[2] ?? 20);
  const seed = Number(process.argv[3] ?? 1);
  const specs = fleetMix(count, seed);
  const managedOf = (name: string): ClusterSpec[] => specs.filter((s) => s.managedBy === name);
  const serverUrlFor = (name: string) => `https://127.0.0.1:6443/clusters/${name}`;
  const summaries = specs.map((spec) => {
    const g = generateCluster(spec, { fleetSeed: seed, managed: managedOf(spec.name), serverUrlFor });
    return summarize(g, spec.managedBy ? offeredVersions(managedOf(spec.managedBy), seed) : undefined);
  });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(summaries, null, 2));
    return;
  }
  for (const s of summaries) {
    console.log(`${s.name}  ${s.flavor}  ${s.version}  ${s.nodes} workers${s.managedBy ? `  managed by ${s.managedBy}` : ''}${s.notReadyNode ? `  NotReady: ${s.notReadyNode}` : ''}`);
    if (s.upgrades) console.log(`    upgrades: patch [${s.upgrades.patch.join(', ')}] next minor [${s.upgrades.nextMinor.join(', ')}] skipped minor (refuse) [${s.upgrades.skippedMinor.join(', ')}]`);
    for (const d of s.deprecatedApis) console.log(`    deprecated API: ${d}`);
    for (const r of s.risks) console.log(`    risk: ${r}`);
  }
}

main();
