import { ClusterCredentialRepository, EncryptedBlob } from '@flotilla/persistence';
import { ClusterClient } from './cluster-client';
import { CredentialCipher } from './credential-cipher';
import { AgentTunnelRouter, AgentTunnelTransport } from './agent-tunnel.transport';

/** Whether a cluster is reached through its agent (its connection mode never changes). */
export interface AgentClusterLookup {
  isAgentCluster(organizationId: string, clusterId: string): Promise<boolean>;
}

interface CachedClient {
  client: ClusterClient;
  fingerprint: string;
}

/**
 * Clients kept by default: one per cluster of a 10,000-cluster fleet, so a scan or sync finds the
 * cluster's client (its TLS session, resumed instead of a full handshake) from the last one. A
 * client whose connections are closed holds a few KiB.
 */
const MAX_CACHED_CLIENTS = 10_000;

/**
 * Turns a stored, encrypted credential into a connected ClusterClient, and keeps it (with its
 * keep-alive connections and TLS session) for the next job on the same cluster. A changed URL or
 * credential replaces the cached client. Bounded: the least recently used clients are closed (the
 * map's order is the order of use).
 */
export class ClusterClientFactory {
  private readonly cache = new Map<string, CachedClient>();

  constructor(
    private readonly credentials: ClusterCredentialRepository,
    private readonly cipher: CredentialCipher,
    private readonly opts: { timeoutMs: number; insecureSkipTlsVerify: boolean; maxCached?: number; agentTunnel?: AgentTunnelRouter; agentClusters?: AgentClusterLookup },
  ) {}

  /**
   * DIRECT clusters: the stored credential, dialled over HTTPS. AGENT clusters: the tunnel their
   * agent holds open (through whichever API replica); nothing is stored for them and their API
   * server is never dialled from here. `preloaded` is the stored credential when the caller has
   * just read it (sync, deciding on renewal), so it is not read twice. A renewed credential has a
   * new iv, so the cached client (and its token) is replaced on the next call, in every worker.
   */
  async forCluster(
    cluster: { id: string; organizationId: string; apiServerUrl: string; connectionMode?: 'DIRECT' | 'AGENT' },
    preloaded?: EncryptedBlob | null,
  ): Promise<ClusterClient> {
    if (cluster.connectionMode === 'AGENT' || this.cache.get(cluster.id)?.fingerprint === `agent|${cluster.organizationId}`) return this.throughAgent(cluster);
    const blob = preloaded ?? (await this.credentials.load(cluster.organizationId, cluster.id));
    if (!blob) {
      // A caller that read the cluster without its connection mode: an agent cluster has no credential, by design.
      if (cluster.connectionMode === undefined && (await this.opts.agentClusters?.isAgentCluster(cluster.organizationId, cluster.id))) return this.throughAgent(cluster);
      throw new Error('the cluster has no stored credential (detached?)');
    }
    const fingerprint = `${cluster.apiServerUrl}|${blob.keyId}|${blob.iv.toString('base64')}`;
    const cached = this.cache.get(cluster.id);
    if (cached && cached.fingerprint === fingerprint) return this.used(cluster.id, cached);
    cached?.client.close();
    const credential = await this.decryptBound(cluster, blob);
    const client = ClusterClient.direct(
      { apiServerUrl: cluster.apiServerUrl, token: credential.token, caPem: credential.caPem, insecureSkipTlsVerify: this.opts.insecureSkipTlsVerify },
      { timeoutMs: this.opts.timeoutMs },
    );
    this.remember(cluster.id, { client, fingerprint });
    return client;
  }

  private throughAgent(cluster: { id: string; organizationId: string }): ClusterClient {
    const router = this.opts.agentTunnel;
    if (!router) throw new Error('this process has no agent tunnel router: agent clusters cannot be reached from it');
    const fingerprint = `agent|${cluster.organizationId}`;
    const cached = this.cache.get(cluster.id);
    if (cached && cached.fingerprint === fingerprint) return this.used(cluster.id, cached);
    cached?.client.close();
    const client = new ClusterClient(new AgentTunnelTransport(router, { clusterId: cluster.id, organizationId: cluster.organizationId }, { timeoutMs: this.opts.timeoutMs }));
    this.remember(cluster.id, { client, fingerprint });
    return client;
  }

  /**
   * The credential for the cluster's current URL. A legacy row (stored before credentials were
   * bound) is re-encrypted bound to the URL it is used with now, so each cluster is legacy only
   * until its next sync; from then on the URL cannot be changed without a new credential.
   */
  private async decryptBound(cluster: { id: string; organizationId: string; apiServerUrl: string }, blob: EncryptedBlob) {
    const binding = { clusterId: cluster.id, apiServerUrl: cluster.apiServerUrl };
    const credential = this.cipher.decrypt(blob, binding);
    if ((blob.format ?? 1) !== 2) await this.credentials.replaceLegacy(cluster.organizationId, cluster.id, blob.iv, this.cipher.encrypt(credential, binding));
    return credential;
  }

  forget(clusterId: string): void {
    this.cache.get(clusterId)?.client.close();
    this.cache.delete(clusterId);
  }

  closeAll(): void {
    for (const c of this.cache.values()) c.client.close();
    this.cache.clear();
  }

  /** Moves the client to the most recently used end. */
  private used(clusterId: string, cached: CachedClient): ClusterClient {
    this.cache.delete(clusterId);
    this.cache.set(clusterId, cached);
    return cached.client;
  }

  /** Adds a client, closing the least recently used ones beyond the bound. */
  private remember(clusterId: string, cached: CachedClient): void {
    this.cache.delete(clusterId);
    this.cache.set(clusterId, cached);
    const max = this.opts.maxCached ?? MAX_CACHED_CLIENTS;
    for (const [id, oldest] of this.cache) {
      if (this.cache.size <= max) break;
      oldest.client.close();
      this.cache.delete(id);
    }
  }
}
