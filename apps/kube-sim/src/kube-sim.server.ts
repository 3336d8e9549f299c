/**
 * Wires kube-sim together: one node:http(s) listener, the admin API under /_sim/ and every
 * simulated cluster under /clusters/<name>/.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ClusterSpec, GenerateCluster } from './content/contract';
import { AdminHandler } from './admin/admin.handler';
import { buildKubeconfig } from './admin/kubeconfig.builder';
import { ClusterApiRouter } from './api/cluster-api.router';
import { NonResourceHandler } from './api/non-resource.handler';
import { ObjectWriter } from './api/object-writer';
import { PatchHandler } from './api/patch.handler';
import { ResourceHandler } from './api/resource.handler';
import { TablePrinter } from './api/table-printer';
import { WatchHub } from './api/watch-hub';
import { EscalationGuard } from './auth/escalation.guard';
import { RbacAuthorizer } from './auth/rbac-authorizer';
import { ReviewHandler } from './auth/review.handler';
import { TokenAuthenticator } from './auth/token-authenticator';
import { signerForSeed } from './auth/token-signer';
import { DiscoveryHandler } from './catalog/discovery.handler';
import { OpenApiHandler } from './catalog/openapi.handler';
import { ResourceCatalog } from './catalog/resource-catalog';
import { ProvisioningController } from './controllers/provisioning.controller';
import { RolloutController } from './controllers/rollout.controller';
import { TokenController } from './controllers/token.controller';
import { loadContentSource } from './fleet/content-source';
import { FleetRegistry } from './fleet/fleet.registry';
import { type PrewarmResult, defaultPrewarmThreads, prewarmFleet } from './fleet/prewarm';
import { sendJson } from './http/http-io';
import { createTlsMaterial } from './tls/certificate-authority';

export interface KubeSimOptions {
  /** A count (the generator's realistic mix) or explicit specs. Default 3. */
  clusters?: number | ClusterSpec[];
  /** 0 = a free port. Default 0. */
  port?: number;
  /** Default 1. */
  seed?: number;
  /** Default true. */
  tls?: boolean;
  /** Default delay between rollout steps, ms. Default 2000. */
  rolloutStepMs?: number;
  /** How many clusters stay materialised (decoded objects). Default 64 (the rest are rebuilt from their snapshots). */
  residentLimit?: number;
  /** MiB of compact cluster snapshots and list bodies kept (beyond, least recently used clusters regenerate). Default 1024. */
  snapshotBudgetMiB?: number;
  /** Replaces the content generator (tests that need exactly known content). */
  generateCluster?: GenerateCluster;
  /**
   * Build every cluster's compact snapshot before startKubeSim resolves (a benchmark then times the
   * product, not generation). A number sets the generating threads (0 = this thread). Default off.
   */
  prewarm?: boolean | { threads: number };
}

export interface KubeSim {
  /** Base URL, e.g. https://127.0.0.1:43121. */
  url: string;
  port: number;
  caPem?: string;
  clusterNames(): string[];
  /** What prewarming took, when it was asked for. */
  prewarmed?: PrewarmResult;
  clusterUrl(name: string): string;
  adminToken(name: string): string;
  kubeconfig(name: string): string;
  stop(): Promise<void>;
}

export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const seed = options.seed ?? 1;
  const tlsOn = options.tls ?? true;
  const content = loadContentSource();
  if (options.generateCluster) {
    content.generateCluster = options.generateCluster;
    content.summarize = undefined;
  }
  const tls = tlsOn ? await createTlsMaterial() : undefined;
  // Tokens derive from the seed so a restarted simulator with the same seed accepts stored credentials.
  const signer = signerForSeed(seed);
  const catalog = new ResourceCatalog();
  const tokens = new TokenController(signer, tls?.caPem ?? '');
  const fleet = new FleetRegistry({ content, catalog, tokens, fleetSeed: seed, caPem: tls?.caPem, residentLimit: options.residentLimit, snapshotBudgetBytes: options.snapshotBudgetMiB === undefined ? undefined : options.snapshotBudgetMiB * 1024 * 1024 });
  const specs = Array.isArray(options.clusters) ? options.clusters : content.fleetMix(options.clusters ?? 3, seed);
  for (const spec of specs) fleet.add(spec);

  const authn = new TokenAuthenticator(signer);
  const rbac = new RbacAuthorizer();
  fleet.onChange((record, change) => {
    if (change.storeKey.startsWith('rbac.authorization.k8s.io/') && record.store) rbac.invalidate(record.store);
  });
  const tables = new TablePrinter();
  const writer = new ObjectWriter(tokens, tls?.caPem ?? '');
  const resources = new ResourceHandler(writer, tables, new EscalationGuard(rbac), fleet);
  const patches = new PatchHandler(writer, resources);
  const watches = new WatchHub(fleet, tables);
  const rollouts = new RolloutController(fleet, options.rolloutStepMs ?? 2000);
  const provisioning = new ProvisioningController({
    fleet,
    stepMs: (record) => rollouts.stepMs(record),
    adminToken: (n) => authn.adminToken(n),
    forgetCluster: (n) => authn.forget(n),
    caPem: tls?.caPem,
  });
  let address = '127.0.0.1:0';
  const router = new ClusterApiRouter({
    fleet,
    catalog,
    authn,
    rbac,
    resources,
    patches,
    reviews: new ReviewHandler(rbac, authn, signer),
    watches,
    nonResource: new NonResourceHandler(new DiscoveryHandler(catalog), new OpenApiHandler(catalog)),
    serverAddress: () => address,
  });
  const admin = new AdminHandler({
    fleet,
    rollouts,
    adminToken: (n) => authn.adminToken(n),
    forgetCluster: (n) => authn.forget(n),
    faultsChanged: (record) => {
      if (record.faults.down) watches.closeCluster(record.spec.name);
    },
    caPem: tls?.caPem,
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (path.startsWith('/clusters/')) {
      const slash = path.indexOf('/', 10);
      const name = decodeURIComponent(slash < 0 ? path.slice(10) : path.slice(10, slash));
      void router.handle(req, res, name, slash < 0 ? '/' : path.slice(slash), query);
      return;
    }
    if (path === '/_sim' || path.startsWith('/_sim/')) {
      void admin.handle(req, res, path.slice(5));
      return;
    }
    // A client that resolved an absolute path against the server root (kubectl get --raw /readyz)
    // still reaches its cluster: the bearer token says which one.
    const owner = authn.clusterForToken(req.headers.authorization, () => fleet.names());
    if (owner && fleet.get(owner)) {
      void router.handle(req, res, owner, path, query);
      return;
    }
    sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'kube-sim serves clusters at /clusters/<name> and its admin API at /_sim/', reason: 'NotFound', code: 404 });
  };

  const server = tls ? https.createServer({ key: tls.keyPem, cert: tls.certPem }, onRequest) : http.createServer(onRequest);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  // Watches are long-lived; node's default 5-minute request timeout would cut them.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const base = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  fleet.baseUrl = base;
  // After listen: generated content names the server's URL (management clusters' Cluster objects).
  let prewarmed: PrewarmResult | undefined;
  if (options.prewarm) {
    const threads = options.generateCluster ? 0 : typeof options.prewarm === 'object' ? options.prewarm.threads : defaultPrewarmThreads();
    prewarmed = await prewarmFleet(fleet, catalog, { seed, caPem: tls?.caPem, threads });
  }

  let stopped: Promise<void> | undefined;
  return {
    url: base,
    port,
    caPem: tls?.caPem,
    prewarmed,
    clusterNames: () => fleet.names(),
    clusterUrl: (name) => fleet.serverUrlFor(name),
    adminToken: (name) => authn.adminToken(name),
    kubeconfig: (name) => buildKubeconfig(name, fleet.serverUrlFor(name), authn.adminToken(name), tls?.caPem),
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        rollouts.stop();
        provisioning.stop();
        watches.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
