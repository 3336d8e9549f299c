/**
 * A prewarm thread: generates its share of the fleet and posts each cluster's compact snapshot to
 * the server (see fleet/prewarm.ts). It builds the same registry the server has (same seed, CA,
 * URLs and token signer), so what it produces is byte for byte what a first touch would produce.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ClusterSpec } from '../content/contract';
import { signerForSeed } from '../auth/token-signer';
import { ResourceCatalog } from '../catalog/resource-catalog';
import { TokenController } from '../controllers/token.controller';
import { loadContentSource } from './content-source';
import { FleetRegistry } from './fleet.registry';

export interface PrewarmWorkerData {
  seed: number;
  caPem?: string;
  baseUrl: string;
  specs: ClusterSpec[];
  /** Indexes into specs this thread generates. */
  indexes: number[];
}

export type PrewarmMessage =
  | { type: 'snapshot'; snapshot: import('./fleet.registry').ExportedSnapshot }
  | { type: 'done'; kinds: Array<{ apiVersion: string; kind: string; namespaced: boolean }> };

function run(data: PrewarmWorkerData): void {
  const catalog = new ResourceCatalog();
  const fleet = new FleetRegistry({ content: loadContentSource(), catalog, tokens: new TokenController(signerForSeed(data.seed), data.caPem ?? ''), fleetSeed: data.seed, caPem: data.caPem });
  fleet.baseUrl = data.baseUrl;
  for (const spec of data.specs) fleet.add(spec);
  for (const i of data.indexes) {
    const snapshot = fleet.exportSnapshot(fleet.get(data.specs[i].name)!);
    parentPort!.postMessage({ type: 'snapshot', snapshot } satisfies PrewarmMessage, [snapshot.buf.buffer as ArrayBuffer]);
  }
  // Kinds the generator emitted that the built-ins lack (Cluster API…): the server must serve them too.
  const kinds = catalog.types().map((t) => ({ apiVersion: t.group === '' ? t.version : `${t.group}/${t.version}`, kind: t.kind, namespaced: t.namespaced }));
  parentPort!.postMessage({ type: 'done', kinds } satisfies PrewarmMessage);
}

if (parentPort) run(workerData as PrewarmWorkerData);
