/**
 * kube-sim benchmark: start-up time and RSS at 1,000 and 10,000 clusters, and list-pods
 * requests/s of one namespace with the server pinned to one core. Prints one JSON object.
 *
 *   node dist/apps/kube-sim/bench/kube-sim.bench.js [--runs 3] [--seconds 5] [--concurrency 32] [--agent]
 *
 * --agent uses node:https keep-alive agents for the load instead of the leaner raw TLS client.
 *
 * The load generator is this same file in `--load` mode, a separate process on the other core,
 * with a bounded pool of node:https keep-alive sockets, for a bounded time, on loopback only.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

function startSim(clusters: number, core?: number): Promise<Started> {
  const args = [MAIN, '--clusters', String(clusters), '--port', '0', '--seed', '1'];
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

function get(url: string, token?: string, agent?: http.Agent): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(u, { headers: token ? { Authorization: `Bearer ${token}`, Accept: 'application/json' } : { Accept: 'application/json' }, rejectUnauthorized: false, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
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

async function main(): Promise<void> {
  if (process.argv.includes('--load')) return process.argv.includes('--raw') ? rawLoad() : load();
  const result = {
    node: process.version,
    startup: [await startup(1000), await startup(10000)],
    listPods: await throughput(),
    targets: { rss10kMiB: 1536, ready10kMs: 20000, listPodsRps: 3000 },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`kube-sim bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
