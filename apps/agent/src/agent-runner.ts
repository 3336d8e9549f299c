import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WebSocket } from 'ws';
import {
  AGENT_CONNECT_PATH,
  AGENT_HEARTBEAT_MS,
  AGENT_REGISTER_PATH,
  AgentFrame,
  CLOSE_CREDENTIAL_REFUSED,
  HubFrame,
  MAX_TUNNEL_FRAME_BYTES,
  checkAgentEndpoint,
} from '@flotilla/cluster-access';
import { AgentKube, KubeTarget } from './agent-kube';

export const AGENT_VERSION = '0.1.0';

export interface AgentRunOptions {
  target: KubeTarget;
  /** Overrides the endpoint in the registration Secret (`flotilla agent run --endpoint URL`). */
  endpoint?: string;
  log?: (line: string) => void;
  /** Reconnect backoff: base and cap of the exponential delay (jittered). */
  backoff?: { baseMs: number; maxMs: number };
  /** Ask the API for a new credential this often while connected (default 24 h). */
  rotateEveryMs?: number;
  /**
   * The benchmark only (one process hosting many agents): a credential in hand instead of the
   * registration Secret. Rotation is then refused (nowhere to keep the new credential).
   */
  fixedCredential?: { endpoint: string; credential: string };
}

/** Why run() ended: stop() was called, or the API refused this agent for good (the message says why). */
export type AgentExit = { reason: 'stopped' } | { reason: 'refused'; message: string };

/** Exponential backoff with full jitter in [delay/2, delay]: 1,000 agents reconnecting after an API restart do not arrive at once. */
export function reconnectDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(delay / 2 + (random() * delay) / 2);
}

class Refused extends Error {}

/**
 * The agent: reads its registration from its own cluster, exchanges the one-time token for its
 * credential (kept in the same Secret), holds one outbound WebSocket to the API, heartbeats,
 * carries the hub's catalogue requests to its API server and reconnects with backoff and jitter.
 * The same code runs in a pod (in-cluster target) and under `flotilla agent run` (kubeconfig target).
 */
export class AgentRunner {
  private readonly kube: AgentKube;
  private ws: WebSocket | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly log: (line: string) => void;
  private readonly backoff: { baseMs: number; maxMs: number };
  /** Connected tunnels so far (the benchmark's reconnect storm counts them). */
  connects = 0;

  constructor(private readonly opts: AgentRunOptions) {
    this.kube = new AgentKube(opts.target);
    this.log = opts.log ?? (() => undefined);
    this.backoff = opts.backoff ?? { baseMs: 500, maxMs: 30_000 };
    if (opts.endpoint) {
      const problem = checkAgentEndpoint(opts.endpoint);
      if (problem) throw new Error(`--endpoint ${problem}`);
    }
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close(1000, 'agent stopping');
    this.wake?.();
  }

  async run(): Promise<AgentExit> {
    let attempt = 0;
    try {
      while (!this.stopped) {
        try {
          const { endpoint, credential } = await this.credential();
          const opened = await this.connect(endpoint, credential);
          if (opened) attempt = 0;
        } catch (err) {
          if (err instanceof Refused) return { reason: 'refused', message: err.message };
          this.log(`agent: ${(err as Error).message}`);
        }
        if (this.stopped) break;
        const delay = reconnectDelay(attempt++, this.backoff.baseMs, this.backoff.maxMs);
        this.log(`agent: reconnecting in ${(delay / 1000).toFixed(1)} s`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return { reason: 'stopped' };
    } finally {
      this.kube.close();
    }
  }

  /** The credential from the registration Secret, exchanging the one-time registration token first when there is none yet. */
  private async credential(): Promise<{ endpoint: string; credential: string }> {
    if (this.opts.fixedCredential) return this.opts.fixedCredential;
    const { data, object } = await this.kube.readRegistration();
    const endpoint = this.opts.endpoint ?? data.endpoint;
    if (!endpoint) throw new Refused('the registration Secret names no endpoint: attach the cluster again with --agent');
    const problem = checkAgentEndpoint(endpoint);
    if (problem) throw new Refused(`the agent endpoint ${endpoint} ${problem}`);
    if (data.credential) return { endpoint, credential: data.credential };
    if (!data.registrationToken) throw new Refused('the registration Secret holds neither a credential nor a registration token: attach the cluster again with --agent');
    const credential = await this.register(endpoint, data.registrationToken);
    const { registrationToken: _used, ...rest } = data;
    void _used;
    await this.kube.writeRegistration(object, { ...rest, endpoint: data.endpoint ?? endpoint, credential });
    this.log('agent: registered; credential stored in the registration Secret');
    return { endpoint, credential };
  }

  private register(endpoint: string, registrationToken: string): Promise<string> {
    const url = new URL(endpoint);
    url.protocol = url.protocol === 'ws:' ? 'http:' : 'https:';
    url.pathname = url.pathname.replace(new RegExp(`${AGENT_CONNECT_PATH}$`), '') + AGENT_REGISTER_PATH;
    const body = JSON.stringify({ registrationToken });
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(
        url,
        { method: 'POST', timeout: 20_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            let parsed: { credential?: string; error?: string } = {};
            try {
              parsed = JSON.parse(text) as typeof parsed;
            } catch {
              /* not JSON */
            }
            if (res.statusCode === 200 && parsed.credential) return resolve(parsed.credential);
            if (res.statusCode === 401) return reject(new Refused(`the API refused the registration: ${parsed.error ?? 'unauthorized'}`));
            reject(new Error(`registration failed: HTTP ${res.statusCode}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('registration timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One tunnel, until it closes. True when it opened (the backoff starts again from the base). */
  private connect(endpoint: string, credential: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let opened = false;
      let refused: string | null = null;
      const ws = new WebSocket(endpoint, { headers: { authorization: `Bearer ${credential}` }, maxPayload: MAX_TUNNEL_FRAME_BYTES, perMessageDeflate: false, handshakeTimeout: 20_000 });
      this.ws = ws;
      let lastPong = Date.now();
      let heartbeat: NodeJS.Timeout | null = null;
      let rotation: NodeJS.Timeout | null = null;
      const send = (f: AgentFrame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(f));
      };
      ws.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => {
          if (res.statusCode === 401) reject(new Refused(`the API refused this agent: ${text.trim() || 'credential refused'}`));
          else reject(new Error(`the agent endpoint answered HTTP ${res.statusCode}`));
          ws.terminate();
        });
      });
      ws.on('open', () => {
        opened = true;
        this.connects++;
        this.log(`agent: connected to ${endpoint}`);
        send({ t: 'hello', version: AGENT_VERSION, apiServerUrl: this.opts.target.server });
        heartbeat = setInterval(() => {
          if (Date.now() - lastPong > 3 * AGENT_HEARTBEAT_MS) return ws.terminate();
          send({ t: 'ping' });
        }, AGENT_HEARTBEAT_MS);
        const every = this.opts.rotateEveryMs ?? 24 * 3600_000;
        if (!this.opts.fixedCredential) rotation = setInterval(() => send({ t: 'rotate' }), every);
      });
      ws.on('message', (data: Buffer) => {
        let frame: HubFrame;
        try {
          frame = JSON.parse(data.toString('utf8')) as HubFrame;
        } catch {
          return;
        }
        switch (frame.t) {
          case 'pong':
            lastPong = Date.now();
            return;
          case 'revoked':
            refused = frame.message;
            return;
          case 'credential':
            void this.storeCredential(frame.credential).catch((err: Error) => this.log(`agent: could not store the rotated credential: ${err.message}`));
            return;
          case 'req':
            this.kube.forward(frame.method, frame.path, frame.headers, frame.body, {
              head: (status) => send({ t: 'res', id: frame.id, status }),
              chunk: (d) => send({ t: 'chunk', id: frame.id, data: d.toString('base64') }),
              end: () => send({ t: 'end', id: frame.id }),
              fail: (message, upstream) => send({ t: 'err', id: frame.id, message, ...(upstream ? { upstream: true } : {}) }),
            });
            return;
        }
      });
      ws.on('error', (err) => {
        if (!opened) reject(new Error(`cannot connect to ${endpoint}: ${(err as Error & { code?: string }).code ?? err.message}`));
      });
      ws.on('close', (code, reason) => {
        if (heartbeat) clearInterval(heartbeat);
        if (rotation) clearInterval(rotation);
        if (this.ws === ws) this.ws = null;
        if (code === CLOSE_CREDENTIAL_REFUSED) return reject(new Refused(refused ?? `the API revoked this agent (${reason.toString() || 'revoked'})`));
        if (opened) {
          this.log(`agent: tunnel closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
          resolve(true);
        }
      });
    });
  }

  private async storeCredential(credential: string): Promise<void> {
    const { data, object } = await this.kube.readRegistration();
    await this.kube.writeRegistration(object, { ...data, credential });
    this.log('agent: credential rotated');
  }
}
