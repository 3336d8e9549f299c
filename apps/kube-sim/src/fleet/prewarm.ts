/**
 * --prewarm: every cluster's compact snapshot is built before kube-sim says it is listening, so a
 * benchmark times the product, not the simulator's content generation (≈10 ms of CPU per cluster,
 * spent here once, on every core). Threads generate; the server thread only installs the buffers.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResourceCatalog } from '../catalog/resource-catalog';
import type { FleetRegistry } from './fleet.registry';
import type { PrewarmMessage, PrewarmWorkerData } from './prewarm.worker';

export interface PrewarmOptions {
  seed: number;
  caPem?: string;
  /** 0 = on the server thread (also when the generator was replaced: a function cannot cross threads). */
  threads: number;
}

export interface PrewarmResult {
  clusters: number;
  threads: number;
  ms: number;
}

export function defaultPrewarmThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

const WORKER_SCRIPT = join(__dirname, 'prewarm.worker.js');

export async function prewarmFleet(fleet: FleetRegistry, catalog: ResourceCatalog, opts: PrewarmOptions): Promise<PrewarmResult> {
  const t0 = performance.now();
  const names = fleet.names();
  const threads = existsSync(WORKER_SCRIPT) ? Math.min(opts.threads, names.length) : 0;
  if (threads <= 0) {
    for (const name of names) {
      const record = fleet.get(name)!;
      fleet.importSnapshot(record, fleet.exportSnapshot(record));
    }
    return { clusters: names.length, threads: 0, ms: Math.round(performance.now() - t0) };
  }
  const specs = names.map((n) => fleet.get(n)!.spec);
  const kinds = new Map<string, { apiVersion: string; kind: string; namespaced: boolean }>();
  await Promise.all(
    Array.from({ length: threads }, (_, w) => {
      const data: PrewarmWorkerData = { seed: opts.seed, caPem: opts.caPem, baseUrl: fleet.baseUrl, specs, indexes: specs.map((_, i) => i).filter((i) => i % threads === w) };
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(WORKER_SCRIPT, { workerData: data });
        let done = false;
        worker.on('message', (m: PrewarmMessage) => {
          if (m.type === 'snapshot') {
            const record = fleet.get(m.snapshot.name);
            if (record) fleet.importSnapshot(record, m.snapshot);
            return;
          }
          for (const k of m.kinds) kinds.set(`${k.apiVersion}/${k.kind}`, k);
          done = true;
        });
        worker.once('error', reject);
        worker.once('exit', (code) => (done && code === 0 ? resolve() : reject(new Error(`prewarm thread ${w} exited with ${code}`))));
      });
    }),
  );
  for (const k of kinds.values()) catalog.ensureKind(k.apiVersion, k.kind, k.namespaced);
  return { clusters: names.length, threads, ms: Math.round(performance.now() - t0) };
}
