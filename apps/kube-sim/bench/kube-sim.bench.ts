/**
 * kube-sim benchmark: start-up time and RSS at 1,000 and 10,000 clusters, and list-pods
 * requests/s of one namespace with the server pinned to one core. Prints one JSON object.
 *
 *   node dist/apps/kube-sim/bench/kube-sim.bench.js [--runs 3] [--seconds 5] [--concurrency 32] [--agent] [--scan-clusters 1000]
 *   node dist/apps/kube-sim/bench/kube-sim.bench.js --scan-only [--runs 3] [--scan-clusters 1000]
 *   node dist/apps/kube-sim/bench/kube-sim.bench.js --resident 10000     (touches every cluster once: minutes)
 *
 * --agent uses node:https keep-alive agents for the load instead of the leaner raw TLS client.
 *
 * The load generator is this same file in `--load` mode, a separate process on the other core,
 * with a bounded pool of node:https keep-alive sockets, for a bounded time, on loopback only.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import tls from 'node:tls';
import https from 'node:https';
import http from 'node:http';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', 'src', 'main.js');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

interface Started {
  child: ChildProcess;
  url: string;
  readyMs: number;
}

function startSim(clusters: number, core?: number, extra: string[] = []): Promise<Started> {
  // KUBE_SIM_BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server.
  const nodeArgs = (process.env.KUBE_SIM_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, MAIN, '--clusters', String(clusters), '--port', '0', '--seed', '1', ...extra];
  const t0 = process.hrtime.bigint();
  const child = core !== undefined && hasTaskset ? spawn('taskset', ['-c', String(core), process.execPath, ...args]) : spawn(process.execPath, args);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /kube-sim listening on (\S+) \((\d+) clusters\)/.exec(out);
      if (m) resolve({ child, url: m[1], readyMs: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
    child.stderr!.on('data', (c: Buffer) => process.stderr.write(c));
    child.on('exit', (code) => reject(new Error(`kube-sim exited early (${code})`)));
  });
}

function stopSim(s: Started): Promise<{ exitCode: number | null; stopMs: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    s.child.removeAllListeners('exit');
    s.child.on('exit', (code) => resolve({ exitCode: code, stopMs: Date.now() - t0 }));
    s.child.kill('SIGTERM');
  });
}

function get(url: string, token?: string, agent?: http.Agent, gzip = false): Promise<{ status: number; body: string; wireBytes: number }> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (gzip) headers['Accept-Encoding'] = 'gzip';
  return new Promise((resolve, reject) => {
    const req = mod.get(u, { headers, rejectUnauthorized: false, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, body: body.toString(), wireBytes: raw.length });
      });
    });
    req.on('error', reject);
  });
}

function post(url: string, token: string, body: unknown, agent: http.Agent): Promise<number> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, rejectUnauthorized: false, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function startup(clusters: number): Promise<Record<string, unknown>> {
  const s = await startSim(clusters);
  const pid = s.child.pid!;
  const rssReady = rssMiB(pid);
  const t0 = Date.now();
  const list = JSON.parse((await get(`${s.url}/_sim/clusters`)).body) as Array<{ name: string }>;
  const listAllMs = Date.now() - t0;
  // Touch 300 clusters spread over the fleet, each read and written (generated on first use, most evicted later).
  const touched = list.filter((_, i) => i % Math.max(1, Math.floor(list.length / 300)) === 0).slice(0, 300);
  const t1 = Date.now();
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  for (let i = 0; i < touched.length; i += 8) {
    await Promise.all(
      touched.slice(i, i + 8).map(async (c) => {
        const token = JSON.parse((await get(`${s.url}/_sim/clusters/${c.name}/admin-token`)).body).token as string;
        const r = await get(`${s.url}/clusters/${c.name}/api/v1/pods`, token, agent);
        if (r.status !== 200) throw new Error(`list pods on ${c.name}: ${r.status}`);
        // And a write, as attaching a cluster does: written clusters must still be evictable.
        const w = await post(`${s.url}/clusters/${c.name}/api/v1/namespaces/default/configmaps`, token, { metadata: { name: 'bench-attach' }, data: { at: String(Date.now()) } }, agent);
        if (w !== 201) throw new Error(`create on ${c.name}: ${w}`);
      }),
    );
  }
  agent.destroy();
  const touchMs = Date.now() - t1;
  const rssTouched = rssMiB(pid);
  const stop = await stopSim(s);
  return { clusters, readyMs: Math.round(s.readyMs), rssAtReadyMiB: rssReady, listClustersMs: listAllMs, touchedAndWrittenClusters: touched.length, touchMs, rssAfterTouchMiB: rssTouched, sigtermExitCode: stop.exitCode, stopMs: stop.stopMs };
}

/** --load mode: hammer one URL for `seconds` with `concurrency` keep-alive sockets; print the count. */
async function load(): Promise<void> {
  const url = new URL(process.argv[process.argv.indexOf('--url') + 1]);
  const token = process.env.KUBE_SIM_BENCH_TOKEN ?? '';
  const seconds = arg('seconds', 5);
  const concurrency = arg('concurrency', 32);
  const parse = process.argv.includes('--parse');
  const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: false });
  let done = 0;
  let errors = 0;
  let bytes = 0;
  const deadline = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const r = await get(url.toString(), token, agent).catch(() => ({ status: 0, body: '' }));
      if (r.status === 200) {
        if (parse) JSON.parse(r.body);
        done++;
        bytes = r.body.length;
      } else errors++;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  process.stdout.write(JSON.stringify({ requests: done, errors, seconds: (Date.now() - t0) / 1000, bytes }));
}

/**
 * --load --raw: the same load with a leaner client: keep-alive TLS connections speaking HTTP/1.1 by
 * hand (one request in flight per connection, responses read by Content-Length), so the client's
 * own HTTP machinery does not cap what the server shows.
 */
async function rawLoad(): Promise<void> {
  const url = new URL(process.argv[process.argv.indexOf('--url') + 1]);
  const token = process.env.KUBE_SIM_BENCH_TOKEN ?? '';
  const seconds = arg('seconds', 5);
  const concurrency = arg('concurrency', 32);
  const request = Buffer.from(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nAccept: application/json\r\nConnection: keep-alive\r\n\r\n`);
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  let bytes = 0;
  const connection = () =>
    new Promise<void>((resolve) => {
      const socket = tls.connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => socket.write(request));
      let buf: Buffer = Buffer.alloc(0);
      let need = -1;
      socket.on('data', (chunk: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        for (;;) {
          if (need < 0) {
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = buf.subarray(0, end).toString('latin1');
            const m = /content-length:\s*(\d+)/i.exec(head);
            if (!head.startsWith('HTTP/1.1 200') || !m) errors++;
            need = end + 4 + (m ? Number(m[1]) : 0);
          }
          if (buf.length < need) return;
          bytes = need;
          buf = buf.subarray(need);
          need = -1;
          done++;
          if (Date.now() >= deadline) {
            socket.end();
            return;
          }
          socket.write(request);
        }
      });
      socket.on('error', () => {
        errors++;
        resolve();
      });
      socket.on('close', () => resolve());
    });
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, connection));
  process.stdout.write(JSON.stringify({ requests: done, errors, seconds: (Date.now() - t0) / 1000, bytes }));
}

function runLoad(url: string, token: string, seconds: number, concurrency: number): Promise<{ requests: number; errors: number; seconds: number; bytes: number }> {
  const args = [__filename, '--load', ...(process.argv.includes('--agent') ? [] : ['--raw']), '--url', url, '--seconds', String(seconds), '--concurrency', String(concurrency)];
  const child = hasTaskset ? spawn('taskset', ['-c', '1', process.execPath, ...args], { env: { ...process.env, KUBE_SIM_BENCH_TOKEN: token } }) : spawn(process.execPath, args, { env: { ...process.env, KUBE_SIM_BENCH_TOKEN: token } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function throughput(): Promise<Record<string, unknown>> {
  const runs = arg('runs', 3);
  const seconds = arg('seconds', 5);
  const concurrency = arg('concurrency', 32);
  const s = await startSim(20, 0);
  try {
    const clusters = JSON.parse((await get(`${s.url}/_sim/clusters`)).body) as Array<{ name: string; flavor: string }>;
    const cluster = clusters.find((c) => c.flavor === 'eks') ?? clusters[1];
    const token = JSON.parse((await get(`${s.url}/_sim/clusters/${cluster.name}/admin-token`)).body).token as string;
    const pods = JSON.parse((await get(`${s.url}/clusters/${cluster.name}/api/v1/pods`, token)).body) as { items: Array<{ metadata: { namespace: string } }> };
    const counts = new Map<string, number>();
    for (const p of pods.items) counts.set(p.metadata.namespace, (counts.get(p.metadata.namespace) ?? 0) + 1);
    // The largest namespace (kube-system) and a typical application namespace (median size).
    const bySize = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const picks = [bySize[0], bySize[Math.floor(bySize.length / 2)]];
    const out = [];
    for (const [namespace, podCount] of picks) {
      const url = `${s.url}/clusters/${cluster.name}/api/v1/namespaces/${namespace}/pods`;
      await runLoad(url, token, 1, concurrency); // warm-up
      const results = [];
      for (let i = 0; i < runs; i++) {
        const cpu0 = cpuSeconds(s.child.pid!);
        const r = await runLoad(url, token, seconds, concurrency);
        results.push({ ...r, serverCpu: cpuSeconds(s.child.pid!) - cpu0 });
      }
      const rps = results.map((r) => Math.round(r.requests / r.seconds)).sort((a, b) => a - b);
      const perCore = results.map((r) => Math.round(r.requests / Math.max(0.01, r.serverCpu))).sort((a, b) => a - b);
      out.push({
        cluster: cluster.name,
        namespace,
        podsPerList: podCount,
        responseBytes: results[0].bytes,
        runs: rps,
        medianRps: rps[Math.floor(rps.length / 2)],
        minRps: rps[0],
        maxRps: rps[rps.length - 1],
        // Requests per second of server CPU: what one fully available core sustains, whatever else the machine runs.
        rpsPerServerCoreSecond: perCore,
        medianRpsPerServerCoreSecond: perCore[Math.floor(perCore.length / 2)],
        errors: results.reduce((n, r) => n + r.errors, 0),
      });
    }
    return { serverPinnedToOneCore: hasTaskset, client: process.argv.includes('--agent') ? 'node:https keep-alive agent' : 'keep-alive TLS sockets, hand-written HTTP/1.1', concurrency, secondsPerRun: seconds, loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), namespaces: out, serverRssMiB: rssMiB(s.child.pid!) };
  } finally {
    await stopSim(s);
  }
}

/** What a compliance scan lists per cluster (libs/compliance KIND_RESOURCES), cluster-wide, with limit=500 as the worker does. */
const SCAN_LISTS = [
  '/api/v1/namespaces',
  '/api/v1/pods',
  '/api/v1/services',
  '/api/v1/configmaps',
  '/api/v1/resourcequotas',
  '/api/v1/serviceaccounts',
  '/apis/apps/v1/deployments',
  '/apis/apps/v1/statefulsets',
  '/apis/apps/v1/daemonsets',
  '/apis/apps/v1/replicasets',
  '/apis/batch/v1/jobs',
  '/apis/batch/v1/cronjobs',
  '/apis/networking.k8s.io/v1/networkpolicies',
  '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  '/apis/rbac.authorization.k8s.io/v1/rolebindings',
  '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  '/apis/rbac.authorization.k8s.io/v1/roles',
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** One pass of scan-like lists over `names`: server CPU per list (ms), wall time, bytes on the wire. */
async function scanPass(s: Started, names: string[], tokens: Map<string, string>, paths: string[], gzip: boolean): Promise<{ lists: number; cpuMsPerList: number; seconds: number; wireMiB: number; bodyMiB: number }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  const cpu0 = cpuSeconds(s.child.pid!);
  const t0 = Date.now();
  let lists = 0;
  let wire = 0;
  let body = 0;
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++];
      for (const p of paths) {
        const r = await get(`${s.url}/clusters/${name}${p}?limit=500`, tokens.get(name), agent, gzip);
        if (r.status !== 200) throw new Error(`${p} on ${name}: ${r.status}`);
        lists++;
        wire += r.wireBytes;
        body += r.body.length;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
  const cpu = cpuSeconds(s.child.pid!) - cpu0;
  return { lists, cpuMsPerList: Math.round((cpu * 1000 * 100) / lists) / 100, seconds: (Date.now() - t0) / 1000, wireMiB: Math.round(wire / 2 ** 20), bodyMiB: Math.round(body / 2 ** 20) };
}

async function tokensFor(s: Started, names: string[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const n of names) tokens.set(n, JSON.parse((await get(`${s.url}/_sim/clusters/${n}/admin-token`)).body).token as string);
  return tokens;
}

/**
 * kube-sim CPU per list in a scan-like load: every cluster of a fleet listed as a compliance scan
 * does, twice (the first pass generates clusters, the second shows whether they stayed resident),
 * with and without gzip. The server is pinned to core 0; runs repeated for median and spread.
 */
async function scanLists(): Promise<Record<string, unknown>> {
  const runs = arg('runs', 3);
  const clusters = arg('scan-clusters', 1000);
  const out: Array<Record<string, number>> = [];
  for (let i = 0; i < runs; i++) {
    const s = await startSim(clusters, 0);
    try {
      const names = (JSON.parse((await get(`${s.url}/_sim/clusters`)).body) as Array<{ name: string }>).map((c) => c.name);
      const tokens = await tokensFor(s, names);
      const first = await scanPass(s, names, tokens, SCAN_LISTS, false);
      const second = await scanPass(s, names, tokens, SCAN_LISTS, false);
      const gz = await scanPass(s, names, tokens, SCAN_LISTS, true);
      out.push({ firstPassCpuMsPerList: first.cpuMsPerList, secondPassCpuMsPerList: second.cpuMsPerList, gzipPassCpuMsPerList: gz.cpuMsPerList, firstPassSeconds: first.seconds, secondPassSeconds: second.seconds, gzipPassSeconds: gz.seconds, plainWireMiB: second.wireMiB, gzipWireMiB: gz.wireMiB, rssMiB: rssMiB(s.child.pid!) });
    } finally {
      await stopSim(s);
    }
  }
  const keys = Object.keys(out[0]);
  return { clusters, listsPerCluster: SCAN_LISTS.length, ...Object.fromEntries(keys.map((k) => [k, spread(out.map((o) => o[k]))])) };
}

/** --resident 10000: every cluster of a 10k fleet touched (pods listed), then RSS: do they all stay resident? */
async function residentFleet(clusters: number): Promise<Record<string, unknown>> {
  const s = await startSim(clusters, 0);
  try {
    const names = (JSON.parse((await get(`${s.url}/_sim/clusters`)).body) as Array<{ name: string }>).map((c) => c.name);
    const tokens = await tokensFor(s, names);
    const touch = await scanPass(s, names, tokens, ['/api/v1/pods'], true);
    const rssTouched = rssMiB(s.child.pid!);
    const again = await scanPass(s, names, tokens, SCAN_LISTS, true);
    return { clusters, touchPodsSeconds: touch.seconds, touchCpuMsPerCluster: touch.cpuMsPerList, rssAfterTouchingAllMiB: rssTouched, scanAfterTouchCpuMsPerList: again.cpuMsPerList, scanAfterTouchSeconds: again.seconds, rssAfterScanMiB: rssMiB(s.child.pid!) };
  } finally {
    await stopSim(s);
  }
}

/**
 * --prewarm-clusters N: kube-sim --prewarm at N clusters: time to "listening", its CPU and RSS, then
 * kube-sim CPU per list on a scan pass (the first touch of every cluster, now resident) and a second.
 */
async function prewarmed(clusters: number): Promise<Record<string, unknown>> {
  const s = await startSim(clusters, undefined, ['--prewarm']);
  try {
    const cpuReady = cpuSeconds(s.child.pid!);
    const rssReady = rssMiB(s.child.pid!);
    const names = (JSON.parse((await get(`${s.url}/_sim/clusters`)).body) as Array<{ name: string }>).map((c) => c.name);
    const tokens = await tokensFor(s, names);
    const first = await scanPass(s, names, tokens, SCAN_LISTS, true);
    const second = await scanPass(s, names, tokens, SCAN_LISTS, true);
    return { clusters, readyMs: Math.round(s.readyMs), cpuSecondsToReady: cpuReady, rssAtReadyMiB: rssReady, firstTouchGzipCpuMsPerList: first.cpuMsPerList, firstTouchCpuMsPerCluster: Math.round(first.cpuMsPerList * SCAN_LISTS.length * 100) / 100, secondPassGzipCpuMsPerList: second.cpuMsPerList, firstPassSeconds: first.seconds, rssAfterScanMiB: rssMiB(s.child.pid!) };
  } finally {
    await stopSim(s);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--prewarm-clusters')) {
    process.stdout.write(`${JSON.stringify({ node: process.version, loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), prewarm: await prewarmed(arg('prewarm-clusters', 1000)) }, null, 2)}\n`);
    return;
  }
  if (process.argv.includes('--load')) return process.argv.includes('--raw') ? rawLoad() : load();
  if (process.argv.includes('--scan-only')) {
    process.stdout.write(`${JSON.stringify({ node: process.version, loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), scanLists: await scanLists() }, null, 2)}\n`);
    return;
  }
  if (process.argv.includes('--resident')) {
    process.stdout.write(`${JSON.stringify({ node: process.version, resident: await residentFleet(arg('resident', 10000)) }, null, 2)}\n`);
    return;
  }
  const result = {
    node: process.version,
    startup: [await startup(1000), await startup(10000)],
    listPods: await throughput(),
    scanLists: await scanLists(),
    prewarm: [await prewarmed(1000)],
    targets: { rss10kMiB: 1536, ready10kMs: 20000, listPodsRps: 3000 },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`kube-sim bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
