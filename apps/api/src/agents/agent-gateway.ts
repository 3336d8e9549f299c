import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { RedisBus, RedisConnection, publishOnBus } from '@flotilla/queue';
import { WebSocket, WebSocketServer } from 'ws';
import { AppConfig } from '@flotilla/config';
import { ClusterAgentRepository } from '@flotilla/persistence';
import {
  AGENT_CONNECT_PATH,
  AGENT_DISCONNECT_GRACE_SECONDS,
  AGENT_HEARTBEAT_MS,
  AGENT_REGISTER_PATH,
  AgentFrame,
  CLOSE_CREDENTIAL_REFUSED,
  CLOSE_REPLACED,
  HubFrame,
  MAX_TUNNEL_FRAME_BYTES,
  TunnelControl,
  TunnelReply,
  TunnelRequest,
  agentEndpointFor,
  isCataloguePath,
  tunnelChannels,
} from '@flotilla/cluster-access';
import { redactText } from '@flotilla/observability';
import { APP_CONFIG, REDIS } from '@flotilla/infrastructure';
import { AGENT_CREDENTIAL_PREFIX, REGISTRATION_PREFIX, hashPresented, issueAgentSecret } from './agent-secrets';

/** Requests one tunnel carries at once; more are refused (the worker retries like a throttled cluster). */
const MAX_IN_FLIGHT_PER_TUNNEL = 256;
const HEARTBEAT_FLUSH_MS = 5_000;
const MAX_REGISTER_BODY = 4096;
const VERSION = /^[A-Za-z0-9._+-]{1,64}$/;

interface Tunnel {
  ws: WebSocket;
  connectionId: string;
  clusterId: string;
  organizationId: string;
  credentialHash: Buffer;
  lastSeen: number;
  /** request id → the worker's reply channel */
  inFlight: Map<string, string>;
  /** Closed because a newer tunnel (maybe on another replica) took over: not a disconnect. */
  replaced: boolean;
  hello: boolean;
}

/**
 * The agent endpoint of this API replica: registration (one-time token → agent credential) over
 * HTTP, and the agents' WebSocket tunnels. See libs/cluster-access/src/agent-protocol.ts for how
 * a worker on any replica reaches a tunnel held here (Redis request/reply channels per cluster).
 *
 * WebSocket (the `ws` package) rather than HTTP/2: it passes every corporate proxy and load
 * balancer that passes HTTPS (CONNECT / Upgrade), it is one long-lived bidirectional stream that
 * the hub can push requests down without the agent polling, `ws` is the most used and best kept
 * Node implementation (no native parts, permessage-deflate off by default, maxPayload bound), and
 * multiplexing our own request ids over one socket is a few lines (Rancher's remotedialer does the
 * same over WebSocket).
 */
@Injectable()
export class AgentGateway implements OnApplicationShutdown {
  private readonly logger = new Logger(AgentGateway.name);
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_TUNNEL_FRAME_BYTES, perMessageDeflate: false });
  private readonly tunnels = new Map<string, Tunnel>();
  private readonly heartbeats = new Map<string, Date>();
  private server: Server | null = null;
  private bus: RedisBus | null = null;
  private timers: NodeJS.Timeout[] = [];
  private listenUrl: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisConnection,
    private readonly agents: ClusterAgentRepository,
  ) {}

  /** Starts serving agents on the endpoint's own port (not the GraphQL port). */
  async listen(port = this.config.agents.port, host = this.config.agents.host): Promise<string> {
    if (this.listenUrl) return this.listenUrl;
    this.bus = new RedisBus(this.redis, (channel, message) => this.onBus(channel, message.toString('utf8')));
    this.server = createServer((req, res) => void this.onHttp(req, res));
    this.server.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as { port: number };
    this.listenUrl = `ws://${host.includes(':') ? `[${host}]` : host}:${address.port}${AGENT_CONNECT_PATH}`;
    this.timers.push(setInterval(() => void this.flushHeartbeats(), HEARTBEAT_FLUSH_MS).unref());
    this.timers.push(setInterval(() => this.dropSilent(), AGENT_HEARTBEAT_MS).unref());
    return this.listenUrl;
  }

  /** What registerAgentCluster tells the agent: FLOTILLA_PUBLIC_URL's wss:// endpoint, else this replica's own. */
  endpoint(): string {
    if (this.config.agents.publicUrl) return agentEndpointFor(this.config.agents.publicUrl);
    return this.listenUrl ?? `ws://${this.config.agents.host}:${this.config.agents.port}${AGENT_CONNECT_PATH}`;
  }

  /** Tunnels this replica holds (the benchmark's memory-per-agent figure divides by it). */
  get connectedCount(): number {
    return this.tunnels.size;
  }

  // ---- registration -------------------------------------------------------------------------

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.url !== AGENT_REGISTER_PATH || req.method !== 'POST') return send(404, { error: `no agent endpoint ${req.method} ${req.url?.split('?')[0]}` });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > MAX_REGISTER_BODY) return send(413, { error: 'registration request too large' });
        chunks.push(c);
      }
      let token: unknown;
      try {
        token = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { registrationToken?: unknown }).registrationToken;
      } catch {
        return send(400, { error: 'registrationToken: the body must be JSON {"registrationToken": "..."}' });
      }
      const hash = hashPresented(REGISTRATION_PREFIX, typeof token === 'string' ? token : null);
      const credential = issueAgentSecret(AGENT_CREDENTIAL_PREFIX);
      const redeemed = hash ? await this.agents.redeemRegistration(hash, credential.hash) : null;
      if (!redeemed) {
        return send(401, { error: 'registration token refused: it is unknown, already used or expired (registrations are one-time and expire within an hour); register the cluster again' });
      }
      this.logger.log({ clusterId: redeemed.clusterId }, 'agent registered');
      send(200, { clusterId: redeemed.clusterId, credential: credential.secret });
    } catch (err) {
      this.logger.warn({ error: redactText((err as Error).message) }, 'agent registration failed');
      if (!res.headersSent) send(503, { error: 'registration failed; retry' });
    }
  }

  // ---- tunnels ------------------------------------------------------------------------------

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, message: string) => {
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${message}\n`);
    };
    try {
      if (req.url?.split('?')[0] !== AGENT_CONNECT_PATH) return refuse(404, 'not an agent endpoint');
      const auth = req.headers.authorization ?? '';
      const hash = hashPresented(AGENT_CREDENTIAL_PREFIX, auth.startsWith('Bearer ') ? auth.slice(7) : null);
      const agent = hash ? await this.agents.findByCredential(hash) : null;
      if (!agent || !hash) {
        const revoked = hash ? await this.agents.isRevokedCredential(hash) : false;
        return refuse(401, revoked ? 'agent credential revoked (or its cluster detached): this agent will never connect again' : 'agent credential refused');
      }
      this.wss.handleUpgrade(req, socket, head, (ws) =>
        void this.open(ws, agent.clusterId, agent.organizationId, hash).catch((err: Error) => {
          this.logger.warn({ clusterId: agent.clusterId, error: redactText(err.message) }, 'agent tunnel could not be opened');
          ws.terminate();
        }),
      );
    } catch (err) {
      this.logger.warn({ error: redactText((err as Error).message) }, 'agent connection failed');
      socket.destroy();
    }
  }

  private async open(ws: WebSocket, clusterId: string, organizationId: string, credentialHash: Buffer): Promise<void> {
    const tunnel: Tunnel = { ws, connectionId: randomUUID(), clusterId, organizationId, credentialHash, lastSeen: Date.now(), inFlight: new Map(), replaced: false, hello: false };
    const previous = this.tunnels.get(clusterId);
    if (previous) this.replace(previous);
    this.tunnels.set(clusterId, tunnel);
    ws.on('message', (data: Buffer, isBinary: boolean) =>
      void this.onFrame(tunnel, data, isBinary).catch((err: Error) => this.logger.warn({ clusterId, error: redactText(err.message) }, 'agent frame failed')),
    );
    ws.on('close', () => void this.onClose(tunnel).catch(() => undefined));
    ws.on('error', () => ws.terminate());
    const prefix = this.config.queue.prefix;
    await this.bus!.subscribe(tunnelChannels.request(prefix, clusterId), tunnelChannels.control(prefix, clusterId));
    // Any older tunnel of this cluster, on any replica, closes now.
    const takeover: TunnelControl = { k: 'takeover', connectionId: tunnel.connectionId };
    await this.bus!.publish(tunnelChannels.control(prefix, clusterId), JSON.stringify(takeover));
  }

  private replace(t: Tunnel): void {
    t.replaced = true;
    if (this.tunnels.get(t.clusterId) === t) this.tunnels.delete(t.clusterId);
    this.failInFlight(t, 'a newer tunnel of this agent took over');
    t.ws.close(CLOSE_REPLACED, 'replaced by a newer connection');
  }

  private send(t: Tunnel, frame: HubFrame): void {
    if (t.ws.readyState === WebSocket.OPEN) t.ws.send(JSON.stringify(frame));
  }

  private async onFrame(t: Tunnel, data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) return t.ws.close(1003, 'text frames only');
    let frame: AgentFrame;
    try {
      frame = JSON.parse(data.toString('utf8')) as AgentFrame;
    } catch {
      return t.ws.close(1007, 'not JSON');
    }
    t.lastSeen = Date.now();
    switch (frame.t) {
      case 'hello': {
        if (t.hello) return;
        t.hello = true;
        const version = typeof frame.version === 'string' && VERSION.test(frame.version) ? frame.version : 'unknown';
        const url = reportedApiServerUrl(frame.apiServerUrl);
        await this.agents.markConnected(t.organizationId, t.clusterId, version, url).catch((err: Error) => this.logger.warn({ clusterId: t.clusterId, error: redactText(err.message) }, 'could not record the agent connection'));
        this.logger.log({ clusterId: t.clusterId, version }, 'agent connected');
        return;
      }
      case 'ping':
        this.heartbeats.set(t.clusterId, new Date());
        return this.send(t, { t: 'pong' });
      case 'rotate': {
        const next = issueAgentSecret(AGENT_CREDENTIAL_PREFIX);
        if (await this.agents.rotateCredential(t.organizationId, t.clusterId, t.credentialHash, next.hash)) {
          t.credentialHash = next.hash;
          this.send(t, { t: 'credential', credential: next.secret });
        }
        return;
      }
      case 'res':
      case 'chunk':
      case 'end':
      case 'err': {
        const replyTo = t.inFlight.get(frame.id);
        if (!replyTo) return;
        let reply: TunnelReply;
        if (frame.t === 'res') reply = { id: frame.id, k: 'head', status: Number(frame.status) || 0 };
        else if (frame.t === 'chunk') reply = { id: frame.id, k: 'chunk', data: String(frame.data) };
        else if (frame.t === 'end') reply = { id: frame.id, k: 'end' };
        else if (frame.upstream === true) reply = { id: frame.id, k: 'error', transport: true, upstream: true, message: `through the agent: ${redactText(String(frame.message)).slice(0, 300)}` };
        else reply = { id: frame.id, k: 'error', transport: false, message: `the agent refused the request: ${redactText(String(frame.message)).slice(0, 300)}` };
        if (frame.t === 'end' || frame.t === 'err') t.inFlight.delete(frame.id);
        await publishOnBus(this.redis, replyTo, JSON.stringify(reply)).catch(() => undefined);
        return;
      }
      default:
        return;
    }
  }

  private onBus(channel: string, message: string): void {
    const prefix = this.config.queue.prefix;
    const clusterId = channel.slice(channel.lastIndexOf(':') + 1);
    const t = this.tunnels.get(clusterId);
    if (channel === tunnelChannels.control(prefix, clusterId)) {
      if (!t) return;
      let control: TunnelControl;
      try {
        control = JSON.parse(message) as TunnelControl;
      } catch {
        return;
      }
      if (control.k === 'takeover' && control.connectionId !== t.connectionId) this.replace(t);
      if (control.k === 'revoke') {
        this.send(t, { t: 'revoked', message: 'this agent was revoked in Flotilla (revokeAgent): its credential will never connect again' });
        this.failInFlight(t, 'the agent was revoked');
        t.ws.close(CLOSE_CREDENTIAL_REFUSED, 'agent revoked');
      }
      return;
    }
    if (channel !== tunnelChannels.request(prefix, clusterId)) return;
    let req: TunnelRequest;
    try {
      req = JSON.parse(message) as TunnelRequest;
    } catch {
      return;
    }
    const reply = (r: TunnelReply) => void publishOnBus(this.redis, req.replyTo, JSON.stringify(r)).catch(() => undefined);
    if (!t || t.ws.readyState !== WebSocket.OPEN) return reply({ id: req.id, k: 'error', transport: true, message: "the cluster's agent tunnel is closing" });
    // An agent carries traffic for its own cluster of its own organization only.
    if (req.organizationId !== t.organizationId || req.clusterId !== t.clusterId) return reply({ id: req.id, k: 'error', transport: false, message: 'not this agent\'s cluster' });
    if (!isCataloguePath(req.method, req.path)) return reply({ id: req.id, k: 'error', transport: false, message: 'not a path of the resource catalogue' });
    if (t.inFlight.size >= MAX_IN_FLIGHT_PER_TUNNEL) return reply({ id: req.id, k: 'error', transport: true, message: 'too many requests in flight through this agent' });
    t.inFlight.set(req.id, req.replyTo);
    this.send(t, { t: 'req', id: req.id, method: req.method, path: req.path, headers: req.headers, body: req.body });
  }

  private failInFlight(t: Tunnel, why: string): void {
    // Best effort: a worker that hears nothing times out, which is the same answer.
    for (const [id, replyTo] of t.inFlight) void publishOnBus(this.redis, replyTo, JSON.stringify({ id, k: 'error', transport: true, message: why } satisfies TunnelReply)).catch(() => undefined);
    t.inFlight.clear();
  }

  private async onClose(t: Tunnel): Promise<void> {
    this.failInFlight(t, "the agent's tunnel closed during the request");
    const current = this.tunnels.get(t.clusterId) === t;
    if (current) this.tunnels.delete(t.clusterId);
    if (!this.tunnels.has(t.clusterId) && this.bus) {
      const prefix = this.config.queue.prefix;
      await this.bus.unsubscribe(tunnelChannels.request(prefix, t.clusterId), tunnelChannels.control(prefix, t.clusterId)).catch(() => undefined);
    }
    if (t.replaced || !current) return;
    this.heartbeats.delete(t.clusterId);
    this.logger.log({ clusterId: t.clusterId }, 'agent disconnected');
    await this.agents.markDisconnected(t.organizationId, t.clusterId, AGENT_DISCONNECT_GRACE_SECONDS).catch(() => undefined);
  }

  /** A tunnel silent for three heartbeats is dead (a half-open TCP connection says nothing). */
  private dropSilent(): void {
    const limit = Date.now() - 3 * AGENT_HEARTBEAT_MS;
    for (const t of this.tunnels.values()) if (t.lastSeen < limit) t.ws.terminate();
  }

  private async flushHeartbeats(): Promise<void> {
    if (this.heartbeats.size === 0) return;
    const beats = [...this.heartbeats.entries()].map(([clusterId, at]) => ({ clusterId, at }));
    this.heartbeats.clear();
    await this.agents.recordHeartbeats(beats).catch((err: Error) => this.logger.warn({ error: redactText(err.message) }, 'could not record agent heartbeats'));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.flushHeartbeats();
    // Agents reconnect (to any replica) with backoff; their clusters' status rides on the grace period.
    for (const t of [...this.tunnels.values()]) t.ws.close(1012, 'API restarting');
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const c of this.wss.clients) c.terminate();
    this.bus?.close();
  }
}

/** The API server URL the agent says it talks to: shown and matched to management clusters, never dialled by Flotilla. */
function reportedApiServerUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password ? u.toString().replace(/\/$/, '') : null;
  } catch {
    return null;
  }
}
