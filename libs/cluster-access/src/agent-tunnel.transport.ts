import { randomUUID } from 'node:crypto';
import { RedisBus, RedisConnection } from '@flotilla/queue';
import { KubeApiError } from './kube-api.error';
import { KubeMethod, KubeTransport, statusError } from './kube-transport';
import { MAX_TUNNEL_REQUEST_BYTES, MAX_TUNNEL_RESPONSE_BYTES, TunnelReply, TunnelRequest, tunnelChannels } from './agent-protocol';
import { isCataloguePath } from './resource-catalogue';

/** The failure reason of a request no replica could carry (no tunnel for the cluster). */
export const AGENT_NOT_CONNECTED = 'AgentNotConnected';

interface Pending {
  chunks: Buffer[];
  size: number;
  status: number | null;
  method: string;
  path: string;
  resolve(v: { status: number; body: string }): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The worker's end of the agent tunnels: one Redis subscription (its reply channel) for every
 * request this process sends to any agent cluster, whichever API replica holds that cluster's
 * tunnel (see agent-protocol.ts for the routing design).
 */
export class AgentTunnelRouter {
  private readonly id = randomUUID();
  private readonly pending = new Map<string, Pending>();
  private readonly replyChannel: string;
  private readonly bus: RedisBus;
  private ready: Promise<unknown> | null = null;

  constructor(
    redis: RedisConnection,
    private readonly prefix: string,
  ) {
    this.replyChannel = tunnelChannels.reply(prefix, this.id);
    this.bus = new RedisBus(redis, (channel, message) => {
      if (channel === this.replyChannel) this.onReply(message);
    });
  }

  private subscribed(): Promise<unknown> {
    this.ready ??= this.bus.subscribe(this.replyChannel);
    return this.ready;
  }

  async send(
    target: { clusterId: string; organizationId: string },
    method: KubeMethod,
    path: string,
    body: string | undefined,
    headers: Record<string, string> | undefined,
    timeoutMs: number,
  ): Promise<{ status: number; body: string }> {
    // Refused here already: the agent would refuse it too, and the hub should never ask.
    if (!isCataloguePath(method, path)) throw new KubeApiError(`${method} ${path.split('?')[0]}: not a path of Flotilla's resource catalogue`, null, 'NotInCatalogue', false);
    if (body && Buffer.byteLength(body) > MAX_TUNNEL_REQUEST_BYTES) throw new KubeApiError(`${method} ${path.split('?')[0]}: request body over ${MAX_TUNNEL_REQUEST_BYTES} bytes`, null, 'RequestTooLarge', false);
    await this.subscribed();
    const id = randomUUID();
    const request: TunnelRequest = { id, replyTo: this.replyChannel, organizationId: target.organizationId, clusterId: target.clusterId, method, path, headers, body };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, new KubeApiError(`${method} ${path.split('?')[0]}: timed out after ${timeoutMs} ms through the agent`, null, 'ETIMEDOUT', true)), timeoutMs);
      this.pending.set(id, { chunks: [], size: 0, status: null, method, path, resolve, reject, timer });
      this.bus.publish(tunnelChannels.request(this.prefix, target.clusterId), JSON.stringify(request)).then(
        (receivers) => {
          if (receivers === 0) this.fail(id, new KubeApiError(`${method} ${path.split('?')[0]}: the cluster's agent is not connected`, null, AGENT_NOT_CONNECTED, true));
        },
        (err: Error) => this.fail(id, new KubeApiError(`${method} ${path.split('?')[0]}: cannot route to the agent: ${err.message}`, null, 'Transport', true)),
      );
    });
  }

  private fail(id: string, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.reject(err);
  }

  private onReply(message: Buffer): void {
    let reply: TunnelReply;
    try {
      reply = JSON.parse(message.toString('utf8')) as TunnelReply;
    } catch {
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    const where = `${p.method} ${p.path.split('?')[0]}`;
    switch (reply.k) {
      case 'head':
        p.status = reply.status;
        return;
      case 'chunk': {
        const data = Buffer.from(reply.data, 'base64');
        p.size += data.length;
        if (p.size > MAX_TUNNEL_RESPONSE_BYTES) return this.fail(reply.id, new KubeApiError(`${where}: response over ${MAX_TUNNEL_RESPONSE_BYTES} bytes through the agent`, null, 'ResponseTooLarge', false));
        p.chunks.push(data);
        return;
      }
      case 'end': {
        clearTimeout(p.timer);
        this.pending.delete(reply.id);
        const status = p.status ?? 0;
        const text = Buffer.concat(p.chunks).toString('utf8');
        if (status >= 200 && status < 300) p.resolve({ status, body: text });
        else p.reject(statusError(p.method, p.path, status, text));
        return;
      }
      case 'error':
        // The agent could not reach its API server: the cluster's own transport failure, in the words a direct one gets.
        if (reply.upstream) return this.fail(reply.id, new KubeApiError(`${where}: ${reply.message}`, null, upstreamCode(reply.message), true));
        return this.fail(reply.id, new KubeApiError(`${where}: ${reply.message}`, null, reply.transport ? 'AgentTunnel' : 'AgentRefused', reply.transport));
    }
  }

  /** Requests waiting for an answer (the benchmark's and the tests' view). */
  get inFlight(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.fail(id, new KubeApiError('the worker is shutting down', null, 'Transport', true));
    this.bus.close();
  }
}

/** The socket error code in an agent's upstream failure ("cannot reach the API server: ECONNRESET"), for transportFailureClass. */
function upstreamCode(message: string): string {
  return /\b(E[A-Z]{3,}|ERR_[A-Z_]+|CERT_[A-Z_]+|[A-Z_]*_CERT[A-Z_]*)\b/.exec(message)?.[1] ?? 'AgentUpstream';
}

/** Whether the agent itself was missing (not connected, or its tunnel closed mid-request), as opposed to its cluster failing. */
export function isAgentAbsence(err: unknown): boolean {
  return err instanceof KubeApiError && (err.reason === AGENT_NOT_CONNECTED || err.reason === 'AgentTunnel');
}

/** A cluster reached through its agent: the same requests as DirectHttpsTransport, and no credential at all. */
export class AgentTunnelTransport implements KubeTransport {
  constructor(
    private readonly router: AgentTunnelRouter,
    private readonly target: { clusterId: string; organizationId: string },
    private readonly opts: { timeoutMs: number },
  ) {}

  request(method: KubeMethod, path: string, body?: string, headers?: Record<string, string>): Promise<{ status: number; body: string }> {
    return this.router.send(this.target, method, path, body, headers, this.opts.timeoutMs);
  }

  closeIdleConnections(): void {
    /* nothing held per cluster */
  }

  close(): void {
    /* the router is shared */
  }
}
