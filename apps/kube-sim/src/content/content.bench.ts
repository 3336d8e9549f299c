/**
 * Generation cost for a fleet, as JSON on stdout (timings live here, not in tests):
 *   node dist/apps/kube-sim/src/content/content.bench.js [clusters=1000] [seed=1]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ClusterSpec } from './contract';
import { fleetMix, generateCluster } from './index';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function main(): void {
  const count = Number(process.argv[2] ?? 1000);
  const seed = Number(process.argv[3] ?? 1);
  const mixStart = performance.now();
  const specs = fleetMix(count, seed);
  const mixMs = performance.now() - mixStart;
  const managedBy = new Map<string, ClusterSpec[]>();
  for (const s of specs) if (s.managedBy) managedBy.set(s.managedBy, [...(managedBy.get(s.managedBy) ?? []), s]);
  const serverUrlFor = (name: string) => `https://127.0.0.1:6443/clusters/${name}`;
  const ctxFor = (s: ClusterSpec) => ({ fleetSeed: seed, managed: managedBy.get(s.name) ?? [], serverUrlFor });

  // Warm up the JIT on a few clusters so the numbers describe steady state.
  for (const s of specs.slice(0, Math.min(20, specs.length))) generateCluster(s, ctxFor(s));

  const times: number[] = [];
  const sizes: number[] = [];
  const byFlavor = new Map<string, { ms: number; bytes: number; n: number }>();
  let objects = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  // Timed pass: generation only (serialising in the same loop would charge its garbage to generation).
  const cpuStart = process.cpuUsage();
  const genStart = performance.now();
  for (const s of specs) {
    const t0 = performance.now();
    generateCluster(s, ctxFor(s));
    times.push(performance.now() - t0);
  }
  const totalGenMs = performance.now() - genStart;
  const cpu = process.cpuUsage(cpuStart);
  for (const [i, s] of specs.entries()) {
    const ms = times[i];
    const g = generateCluster(s, ctxFor(s));
    const bytes = JSON.stringify(g).length;
    sizes.push(bytes);
    objects += g.objects.length;
    const f = byFlavor.get(s.flavor) ?? { ms: 0, bytes: 0, n: 0 };
    byFlavor.set(s.flavor, { ms: f.ms + ms, bytes: f.bytes + bytes, n: f.n + 1 });
  }
  const sortedTimes = [...times].sort((a, b) => a - b);
  const sortedSizes = [...sizes].sort((a, b) => a - b);
  const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
  console.log(JSON.stringify({
    clusters: count,
    seed,
    fleetMixMs: round(mixMs),
    totalGenerateMs: round(totalGenMs),
    // CPU time is steadier than wall time on a shared machine (it includes GC helper threads).
    cpuMsPerCluster: round((cpu.user + cpu.system) / 1000 / count),
    loadAverage1m: round(loadavg()[0]),
    generateMs: { mean: round(times.reduce((a, b) => a + b, 0) / count), p50: round(percentile(sortedTimes, 50)), p99: round(percentile(sortedTimes, 99)), max: round(sortedTimes[sortedTimes.length - 1]) },
    jsonBytes: { mean: Math.round(sizes.reduce((a, b) => a + b, 0) / count), p50: percentile(sortedSizes, 50), p99: percentile(sortedSizes, 99), max: sortedSizes[sortedSizes.length - 1] },
    objectsPerCluster: round(objects / count, 1),
    byFlavor: Object.fromEntries([...byFlavor].map(([flavor, f]) => [flavor, { clusters: f.n, meanMs: round(f.ms / f.n), meanBytes: Math.round(f.bytes / f.n) }])),
    heapGrowthMb: round((process.memoryUsage().heapUsed - heapBefore) / 1048576, 1),
  }, null, 2));
}

main();
