/**
 * Agent benchmark (issue 10): N kube-sim clusters reached through outbound agents vs the same N
 * clusters reached directly, one compliance scan each (all six policy types, AUDIT), in one run —
 * kube-sim, API, worker, PostgreSQL and Redis on this machine. The agents of the N agent clusters
 * are hosted by this process (one WebSocket each, the same AgentRunner code as `flotilla agent
 * run`; for the benchmark only, with the credential in hand instead of a registration Secret).
 * Also: API RSS per connected agent; one sync round of each set (the hub polls agent clusters:
 * no watches); and a reconnect storm — every agent reconnecting after the API restarts.
 *
 * Options: BENCH_CLUSTERS (1000), BENCH_RUNS scans per set (3), BENCH_CONCURRENCY (32), BENCH_TIMEOUT_S (900).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { bootstrapAdmin } from '@flotilla/access';
import { migrate } from '@flotilla/persistence';
import { freePort } from '@flotilla/testing';
import { AgentRunner } from '../apps/agent/src/agent-runner';
import { BENCH_ENCRYPTION_KEY, benchDatabase, median, registerSimClusters, releaseDatabase, round, rssMiB, runBenchmark, spreadOf, startNode, stopChild, withNodeFlags } from './bench-support';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/runtime-flags';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 900);

const POLICIES = [
  { name: 'sre-view', type: 'ACCESS', spec: { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }] }] } },
  { name: 'default-deny', type: 'NETWORK', spec: { defaultDeny: 'ingress' } },
  { name: 'quota', type: 'QUOTA', spec: { hard: { 'requests.cpu': '16', 'limits.memory': '64Gi' } } },
  { name: 'registries', type: 'IMAGE_REGISTRY', spec: { allowedRegistries: ['registry.example.com', 'ghcr.io/acme/', 'registry.k8s.io'] } },
  { name: 'pss-baseline', type: 'SECURITY', spec: { level: 'baseline' } },
  { name: 'owners', type: 'LABELS', spec: { kinds: ['Namespace', 'Deployment'], required: ['owner'] } },
];

async function simGet<T>(url: string, path: string, ca?: string, text = false): Promise<T> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), ca ? { ca, agent: false } : { rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve((text ? body : JSON.parse(body)) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, everyMs = 100): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return (performance.now() - t0) / 1000;
}

async function main() {
  const db = await benchDatabase();
  const agentPort = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: '0',
    LOG_LEVEL: 'error',
    FLOTILLA_RATE_LIMIT_PER_MINUTE: '0',
    FLOTILLA_QUEUE_PREFIX: `bench-agent-${Date.now()}`,
    FLOTILLA_QUEUE_CONCURRENCY: String(CONCURRENCY),
    FLOTILLA_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY.toString('base64'),
    FLOTILLA_SYNC_INTERVAL_SECONDS: '86400',
    FLOTILLA_AGENT_PORT: String(agentPort),
  };
  const endpoint = `ws://127.0.0.1:${agentPort}/agent/v1/connect`;
  const children: Array<Awaited<ReturnType<typeof startNode>>> = [];
  const runners: AgentRunner[] = [];
  const pg = new Client({ connectionString: db.url });
  try {
    await migrate(db.url);
    await pg.connect();
    const direct = await bootstrapAdmin({ databaseUrl: db.url, organizationName: 'bench-direct' });
    const viaAgent = await bootstrapAdmin({ databaseUrl: db.url, organizationName: 'bench-agent' });
    const sim = await startNode('apps/kube-sim/src/main.js', ['--clusters', String(CLUSTERS), '--port', '0', '--seed', '7'], env, /listening on (\S+)/, 120_000);
    children.push(sim);
    const simUrl = sim.match[1];
    const caPem = await simGet<string>(simUrl, '/_sim/ca.crt', undefined, true);
    const listed = await simGet<Array<{ name: string; url: string }>>(simUrl, '/_sim/clusters', caPem);
    const clusters = await mapLimit(listed, 32, async (c) => ({
      name: c.name,
      url: c.url,
      token: (await simGet<{ token: string }>(simUrl, `/_sim/clusters/${encodeURIComponent(c.name)}/admin-token`, caPem)).token,
    }));
    // The same clusters twice: once direct (credential stored), once through agents (nothing stored).
    await registerSimClusters(db.url, direct.organizationId, clusters, caPem, 'CONNECTED');
    const credentials = clusters.map(() => `flt_agent_${randomBytes(32).toString('base64url')}`);
    const inserted: Array<{ id: string; name: string }> = (
      await pg.query(
        `INSERT INTO clusters (organization_id, name, api_server_url, bindable_roles, status, last_seen_at, next_sync_at, connection_mode)
         SELECT $1, n, u, '{admin,edit,view}', 'CONNECTED', now(), 'infinity', 'AGENT' FROM unnest($2::text[], $3::text[]) AS t(n, u) RETURNING id, name`,
        [viaAgent.organizationId, clusters.map((c) => c.name), clusters.map((c) => c.url)],
      )
    ).rows;
    const idOf = new Map(inserted.map((r) => [r.name, r.id]));
    await pg.query(
      `INSERT INTO cluster_agents (cluster_id, organization_id, registration_token_hash, registration_expires_at, registration_used_at, credential_hash, credential_issued_at)
       SELECT id, $1, h, now(), now(), c, now() FROM unnest($2::uuid[], $3::bytea[], $4::bytea[]) AS t(id, h, c)`,
      [
        viaAgent.organizationId,
        clusters.map((c) => idOf.get(c.name)),
        clusters.map(() => randomBytes(32)),
        credentials.map((c) => createHash('sha256').update(c).digest()),
      ],
    );
    await pg.query('ANALYZE');

    const startApi = async () => {
      const api = await startNode('apps/api/src/main.js', [], env, /listening on (\S+)/);
      children.push(api);
      return api;
    };
    let api = await startApi();
    const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(api.match[1], { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    for (const org of [direct, viaAgent]) {
      for (const p of POLICIES) await gql(org.token, `mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input: { ...p, mode: 'AUDIT', scope: { kind: 'ORGANIZATION' } } });
    }
    const worker = await startNode('apps/worker/src/main.js', [], withNodeFlags(env, WORKER_NODE_FLAGS), /worker started/);
    children.push(worker);

    // ---- connect every agent; API memory per connected agent
    await new Promise((r) => setTimeout(r, 2000));
    const apiRssBefore = rssMiB(api.child.pid!);
    await pg.query(`UPDATE clusters SET last_seen_at = NULL, consecutive_failures = 0 WHERE organization_id = $1`, [viaAgent.organizationId]);
    const c0 = performance.now();
    clusters.forEach((c, i) => {
      const runner = new AgentRunner({
        target: { server: c.url, caPem, insecureSkipTlsVerify: false, token: () => c.token },
        fixedCredential: { endpoint, credential: credentials[i] },
      });
      runners.push(runner);
      void runner.run();
    });
    const connectSeconds = await until('every agent connected', 300_000, () => runners.every((r) => r.connected));
    void c0;
    // Each connection makes its cluster's sync due now: let those syncs end before scanning (they also
    // warm kube-sim, which builds a cluster's content on first touch, for both sets: the same clusters).
    const firstSyncSeconds = await until(
      'the first sync of every agent cluster',
      900_000,
      async () => (await pg.query(`SELECT count(*)::int AS n FROM clusters WHERE organization_id = $1 AND (last_seen_at IS NOT NULL OR consecutive_failures > 0)`, [viaAgent.organizationId])).rows[0].n >= CLUSTERS,
      500,
    );
    await new Promise((r) => setTimeout(r, 5_000));
    const apiRssAfter = rssMiB(api.child.pid!);

    // ---- one scan of each set, alternating, RUNS times
    const scanOnce = async (token: string, organizationId: string) => {
      const load = loadavg()[0];
      const cpuBefore = { worker: cpuSeconds(worker.child.pid!), api: cpuSeconds(api.child.pid!), kubeSim: cpuSeconds(sim.child.pid!) };
      const t0 = performance.now();
      const id = (await gql(token, `mutation { runComplianceScan(input: {}) { id } }`)).runComplianceScan.id as string;
      let scan: any;
      for (;;) {
        scan = (await gql(token, `query($id: ID!) { scan(id: $id) { status clusterCount completedCount failedCount summary { errored } } }`, { id })).scan;
        if (scan.status === 'SUCCEEDED') break;
        if ((performance.now() - t0) / 1000 > TIMEOUT_S) throw new Error(`scan not finished after ${TIMEOUT_S} s: ${JSON.stringify(scan)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const seconds = (performance.now() - t0) / 1000;
      const reasons = scan.summary.errored
        ? (await pg.query(`SELECT reason, count(*)::int AS n FROM cluster_compliance WHERE organization_id = $1 AND status = 'ERROR' GROUP BY reason ORDER BY n DESC LIMIT 3`, [organizationId])).rows
        : [];
      return {
        seconds: round(seconds, 2),
        erroredReasons: reasons as Array<{ reason: string; n: number }>,
        clustersPerSecond: round(scan.clusterCount / seconds, 1),
        errored: scan.summary.errored,
        failed: scan.failedCount,
        cpuSeconds: {
          worker: round(cpuSeconds(worker.child.pid!) - cpuBefore.worker, 1),
          api: round(cpuSeconds(api.child.pid!) - cpuBefore.api, 1),
          kubeSim: round(cpuSeconds(sim.child.pid!) - cpuBefore.kubeSim, 1),
        },
        loadAverageAtStart: round(load, 2),
      };
    };
    const directRuns: Array<Awaited<ReturnType<typeof scanOnce>>> = [];
    const agentRuns: Array<Awaited<ReturnType<typeof scanOnce>>> = [];
    for (let run = 0; run < RUNS; run++) {
      directRuns.push(await scanOnce(direct.token, direct.organizationId));
      process.stderr.write(`agent bench: direct scan ${run + 1}/${RUNS}: ${JSON.stringify(directRuns.at(-1))}\n`);
      agentRuns.push(await scanOnce(viaAgent.token, viaAgent.organizationId));
      process.stderr.write(`agent bench: agent scan ${run + 1}/${RUNS}: ${JSON.stringify(agentRuns.at(-1))}\n`);
    }

    // ---- one sync round of each set (the hub polls: /version and nodes per cluster)
    const syncRound = async (organizationId: string) => {
      const before = cpuSeconds(worker.child.pid!) + cpuSeconds(api.child.pid!);
      await pg.query(`UPDATE clusters SET last_seen_at = NULL, consecutive_failures = 0, next_sync_at = now() WHERE organization_id = $1`, [organizationId]);
      const seconds = await until('a sync round', 600_000, async () => (await pg.query(`SELECT count(*)::int AS n FROM clusters WHERE organization_id = $1 AND (last_seen_at IS NOT NULL OR consecutive_failures > 0)`, [organizationId])).rows[0].n >= CLUSTERS, 250);
      await pg.query(`UPDATE clusters SET next_sync_at = 'infinity' WHERE organization_id = $1`, [organizationId]);
      const cpu = cpuSeconds(worker.child.pid!) + cpuSeconds(api.child.pid!) - before;
      return { seconds: round(seconds, 2), clustersPerSecond: round(CLUSTERS / seconds, 1), workerAndApiCpuMsPerCluster: round((cpu * 1000) / CLUSTERS, 2) };
    };
    const syncDirect = await syncRound(direct.organizationId);
    const syncAgent = await syncRound(viaAgent.organizationId);
    const statuses = (await pg.query(`SELECT status, count(*)::int AS n FROM clusters WHERE organization_id = $1 GROUP BY status`, [viaAgent.organizationId])).rows;

    // ---- reconnect storm: the API restarts; every agent reconnects (backoff with jitter)
    const connectsBefore = runners.reduce((n, r) => n + r.connects, 0);
    const s0 = performance.now();
    await stopChild(api.child);
    children.splice(children.indexOf(api), 1);
    await until('every agent to notice', 60_000, () => runners.every((r) => !r.connected));
    api = await startApi();
    const apiUpSeconds = (performance.now() - s0) / 1000;
    const stormSeconds = await until('every agent reconnected', 300_000, () => runners.every((r) => r.connected));
    const totalStormSeconds = (performance.now() - s0) / 1000;
    const reconnects = runners.reduce((n, r) => n + r.connects, 0) - connectsBefore;

    const ratio = round(median(agentRuns.map((r) => r.clustersPerSecond)) / median(directRuns.map((r) => r.clustersPerSecond)), 2);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'agent',
          clusters: CLUSTERS,
          policies: POLICIES.map((p) => p.type),
          workerConcurrency: CONCURRENCY,
          runs: RUNS,
          machine: { cpus: (await import('node:os')).cpus().length, note: 'kube-sim, API, worker, the agents (this process), PostgreSQL and Redis on the same machine' },
          connect: { seconds: round(connectSeconds, 2), firstSyncOfEverySecondsAfterConnect: round(firstSyncSeconds, 2), apiRssBeforeMiB: apiRssBefore, apiRssAfterMiB: apiRssAfter, apiRssPerAgentKiB: round(((apiRssAfter - apiRssBefore) * 1024) / CLUSTERS, 1) },
          scan: {
            direct: { runs: directRuns, median: { seconds: median(directRuns.map((r) => r.seconds)), clustersPerSecond: median(directRuns.map((r) => r.clustersPerSecond)) }, spread: { clustersPerSecond: spreadOf(directRuns.map((r) => r.clustersPerSecond)) } },
            agent: { runs: agentRuns, median: { seconds: median(agentRuns.map((r) => r.seconds)), clustersPerSecond: median(agentRuns.map((r) => r.clustersPerSecond)) }, spread: { clustersPerSecond: spreadOf(agentRuns.map((r) => r.clustersPerSecond)) } },
            agentToDirectThroughput: ratio,
          },
          syncRound: { direct: syncDirect, agent: syncAgent, agentClusterStatuses: statuses, note: 'polling (/version + nodes per cluster per interval); agents push no watches' },
          reconnectStorm: { apiRestartSeconds: round(apiUpSeconds, 2), reconnectSecondsAfterApiUp: round(stormSeconds, 2), totalSeconds: round(totalStormSeconds, 2), reconnects },
          targets: { agentToDirectThroughput: 0.5 },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    for (const r of runners) r.stop();
    for (const c of children.reverse()) await stopChild(c.child);
    await pg.end().catch(() => undefined);
    await releaseDatabase(db);
  }
}

runBenchmark('agent', main);
