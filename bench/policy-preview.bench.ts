/**
 * Policy preview benchmark (issue 12): previewPolicy over N clusters' cached snapshots, through
 * the API's GraphQL endpoint (PostgreSQL read, gunzip, JSON parse, evaluation, answer), with the
 * API, PostgreSQL and this process on this machine. The snapshots are kube-sim's default content
 * (the seeded generator behind `kube-sim --clusters N`), compacted as a scan stores them, one row
 * per cluster. Also reports the cache's size per cluster. Prints JSON.
 *
 * Options: BENCH_CLUSTERS (1000, the issue's target: ≤ 5 s), BENCH_RUNS previews per policy (5).
 */
import { loadavg } from 'node:os';
import { bootstrapAdmin } from '@flotilla/access';
import { ClusterSnapshotRepository, createDataSource, migrate } from '@flotilla/persistence';
import { SNAPSHOT_KINDS, compactSnapshot, type ClusterSnapshot, type KubeObject } from '@flotilla/policy';
import { fleetMix, generateCluster } from '../apps/kube-sim/src/content';
import { BENCH_ENCRYPTION_KEY, benchDatabase, median, registerSimClusters, releaseDatabase, round, rssMiB, runBenchmark, spreadOf, startNode, stopChild } from './bench-support';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SEED = 7;

const POLICIES = [
  {
    name: 'custom-run-as-non-root',
    type: 'CUSTOM',
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], kinds: ['Deployment', 'StatefulSet', 'DaemonSet'] }] },
      validations: [{ expression: 'has(object.spec.template.spec.securityContext) && has(object.spec.template.spec.securityContext.runAsNonRoot) && object.spec.template.spec.securityContext.runAsNonRoot == true', message: 'must run as non-root' }],
    },
  },
  { name: 'pss-restricted', type: 'SECURITY', spec: { level: 'restricted' } },
  { name: 'owners', type: 'LABELS', spec: { kinds: ['Namespace', 'Deployment'], required: ['owner'] } },
];

const PREVIEW = `query($input: CreatePolicyInput!) { previewPolicy(input: $input) { evaluatedClusters wouldViolateClusters newlyNonCompliantClusters oldestSnapshotAt clusters(first: 50) { cluster { id name } violationCount violations(first: 20) { kind namespace name message } } } }`;

/** What a scan caches of one generated cluster: the kinds it lists (ConfigMaps only when a policy names them), compacted. */
function snapshotOf(objects: KubeObject[]): ClusterSnapshot {
  const wanted = new Set<string>(SNAPSHOT_KINDS.filter((k) => k !== 'ConfigMap'));
  const s: ClusterSnapshot = {};
  for (const k of wanted) s[k as keyof ClusterSnapshot] = [];
  for (const o of objects) if (wanted.has(o.kind)) s[o.kind as keyof ClusterSnapshot]!.push(o);
  return compactSnapshot(s);
}

async function main() {
  const db = await benchDatabase();
  const env = { ...process.env, DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'error', FLOTILLA_RATE_LIMIT_PER_MINUTE: '0', FLOTILLA_QUEUE_PREFIX: `bench-preview-${Date.now()}`, FLOTILLA_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY.toString('base64') };
  let api: Awaited<ReturnType<typeof startNode>> | undefined;
  const ds = createDataSource(db.url);
  try {
    await migrate(db.url);
    const { token, organizationId } = await bootstrapAdmin({ databaseUrl: db.url, organizationName: 'bench' });
    const specs = fleetMix(CLUSTERS, SEED);
    // Never dialled: the preview reads only the cache.
    await registerSimClusters(db.url, organizationId, specs.map((s) => ({ name: s.name, url: `https://127.0.0.1:9/clusters/${s.name}`, token: 'unused' })), '', 'CONNECTED');
    await ds.initialize();
    const snapshots = new ClusterSnapshotRepository(ds);
    const ids = new Map<string, string>(((await ds.query(`SELECT id, name FROM clusters WHERE organization_id = $1`, [organizationId])) as Array<{ id: string; name: string }>).map((r) => [r.name, r.id]));
    const byManager = new Map<string, typeof specs>();
    for (const s of specs) if (s.managedBy) byManager.set(s.managedBy, [...(byManager.get(s.managedBy) ?? []), s]);
    const bytes: number[] = [];
    const objectCounts: number[] = [];
    const jsonBytes: number[] = [];
    for (const s of specs) {
      const g = generateCluster(s, { fleetSeed: SEED, managed: byManager.get(s.name) ?? [], serverUrlFor: (n) => `https://127.0.0.1:6443/clusters/${n}` });
      const snap = snapshotOf(g.objects as KubeObject[]);
      const objects = Object.values(snap).reduce((n, l) => n + (l?.length ?? 0), 0);
      jsonBytes.push(Buffer.byteLength(JSON.stringify(snap)));
      bytes.push(await snapshots.save(ds, organizationId, ids.get(s.name)!, {
          takenAt: new Date(),
          kubernetesVersion: g.spec.version,
          kinds: Object.entries(snap).map(([kind, list]) => ({ kind, digest: null, objectCount: list?.length ?? 0, objects: list as never[] })),
        }));
      objectCounts.push(objects);
    }
    // Every cluster compliant now, so newlyNonCompliantClusters = wouldViolateClusters.
    const scan = (await ds.query(`INSERT INTO scans (organization_id, trigger, created_by, cluster_count, status) VALUES ($1, 'MANUAL', 'bench', 0, 'SUCCEEDED') RETURNING id`, [organizationId]))[0].id;
    await ds.query(`INSERT INTO cluster_compliance (cluster_id, organization_id, status, checked_at, last_scan_id) SELECT id, organization_id, 'COMPLIANT', now(), $2 FROM clusters WHERE organization_id = $1`, [organizationId, scan]);
    const tableBytes = Number((await ds.query(`SELECT pg_total_relation_size('cluster_snapshots') + pg_total_relation_size('cluster_snapshot_kinds') AS n`))[0].n);

    api = await startNode('apps/api/src/main.js', [], env, /listening on (\S+)/);
    // The API prints its GraphQL endpoint.
    const graphqlUrl = api.match[1];
    const post = async (input: unknown) => {
      const res = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: PREVIEW, variables: { input } }) });
      const body = (await res.json()) as { data?: { previewPolicy: Record<string, number> }; errors?: unknown };
      if (body.errors || !body.data) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
      return body.data.previewPolicy;
    };
    const previews: Record<string, unknown> = {};
    for (const p of POLICIES) {
      const input = { name: p.name, type: p.type, mode: 'AUDIT', spec: p.spec, scope: { kind: 'ORGANIZATION' } };
      await post(input); // warm-up (JIT, connection pool)
      const ms: number[] = [];
      let last: Record<string, number> | undefined;
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        last = await post(input);
        ms.push(performance.now() - t);
      }
      previews[p.name] = {
        medianMs: round(median(ms)),
        spreadMs: spreadOf(ms).map((v) => round(v)),
        runsMs: ms.map((v) => round(v)),
        evaluatedClusters: last!.evaluatedClusters,
        wouldViolateClusters: last!.wouldViolateClusters,
      };
    }
    const sorted = [...bytes].sort((a, b) => a - b);
    const out = {
      clusters: CLUSTERS,
      runs: RUNS,
      loadAverage: loadavg().map((v) => round(v, 2)),
      previewTargetMs: 5000,
      previews,
      snapshotCache: {
        jsonBytesWrittenPerCluster: { median: median(sorted), mean: round(bytes.reduce((a, b) => a + b, 0) / bytes.length), min: sorted[0], max: sorted[sorted.length - 1] },
        jsonBytesPerCluster: { median: median([...jsonBytes].sort((a, b) => a - b)) },
        objectsPerCluster: { median: median([...objectCounts].sort((a, b) => a - b)) },
        tableBytes,
      },
      apiRssMiB: rssMiB(api.child.pid!),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    if (api) await stopChild(api.child);
    if (ds.isInitialized) await ds.destroy();
    await releaseDatabase(db);
  }
}

runBenchmark('policy-preview', main);
