import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { MAX_TUNNEL_REQUEST_BYTES, MAX_TUNNEL_RESPONSE_BYTES, TUNNEL_CHUNK_BYTES, isCataloguePath } from '@flotilla/cluster-access';
import { AGENT_NAMESPACE } from '@flotilla/cluster-access/agent-identity';

/** The Secret attach writes for the agent: its endpoint and one-time registration token, later its own credential. */
export const AGENT_REGISTRATION_SECRET = 'flotilla-agent-registration';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const USER_AGENT = 'flotilla-agent/0.1';

/** Where the agent's own API server is and how it authenticates there: its service account, never the operator's. */
export interface KubeTarget {
  server: string;
  caPem: string | null;
  insecureSkipTlsVerify: boolean;
  /** Read per request: a projected in-cluster token rotates under the agent. */
  token(): string;
}

/** In a pod: the in-cluster configuration (the pod's service-account token and CA). */
export function inClusterTarget(env: NodeJS.ProcessEnv = process.env): KubeTarget {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new Error('not in a pod (KUBERNETES_SERVICE_HOST unset): pass --kubeconfig FILE');
  let cached = { token: '', at: 0 };
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caPem: readFileSync(`${SA_DIR}/ca.crt`, 'utf8'),
    insecureSkipTlsVerify: false,
    token: () => {
      if (Date.now() - cached.at > 60_000) cached = { token: readFileSync(`${SA_DIR}/token`, 'utf8').trim(), at: Date.now() };
      return cached.token;
    },
  };
}

/** Outside a pod (`flotilla agent run --kubeconfig FILE`): the agent identity FILE holds (what --agent-kubeconfig-out wrote). */
export function kubeconfigTarget(file: string, context?: string): KubeTarget {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (context) kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster?.server) throw new Error(`kubeconfig ${file}: the current context names no cluster with a server URL`);
  const token = user?.token;
  if (!token) throw new Error(`kubeconfig ${file}: the current user has no token (the agent authenticates as its service account)`);
  const caPem = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : null;
  return { server: cluster.server, caPem, insecureSkipTlsVerify: cluster.skipTLSVerify === true, token: () => token };
}

export type ForwardSink = {
  head(status: number): void;
  chunk(data: Buffer): void;
  end(): void;
  /** upstream: the API server could not be reached or broke off (not a refusal by the agent). */
  fail(message: string, upstream?: boolean): void;
};

/**
 * The agent's client of its own API server: registration Secret reads and writes, and the hub's
 * requests — only those the resource catalogue names (no raw passthrough), bounded, and with
 * response bodies streamed on in chunks as they arrive.
 */
export class AgentKube {
  private readonly base: URL;
  private readonly agent: Agent;

  constructor(readonly target: KubeTarget, private readonly timeoutMs = 30_000) {
    this.base = new URL(target.server);
    if (this.base.protocol !== 'https:') throw new Error(`the API server URL ${target.server} is not https`);
    this.agent = new Agent({ keepAlive: true, maxSockets: 8, ...(target.caPem ? { ca: target.caPem } : {}), rejectUnauthorized: !target.insecureSkipTlsVerify });
  }

  close(): void {
    this.agent.destroy();
  }

  /** One of the hub's requests: refused unless the catalogue names it. */
  forward(method: string, path: string, headers: Record<string, string> | undefined, body: string | undefined, sink: ForwardSink): void {
    if (!isCataloguePath(method, path)) return sink.fail(`refused ${method} ${path.split('?')[0]}: not a path of Flotilla's resource catalogue`);
    if (body && Buffer.byteLength(body) > MAX_TUNNEL_REQUEST_BYTES) return sink.fail('request body too large');
    const allowed: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers ?? {})) if (k === 'accept' || k === 'content-type') allowed[k] = String(v);
    this.send(method, path, body, allowed, sink);
  }

  private send(method: string, path: string, body: string | undefined, headers: Record<string, string>, sink: ForwardSink): void {
    const url = new URL(this.base.toString());
    const [p, qs] = path.split('?');
    url.pathname = this.base.pathname.replace(/\/+$/, '') + p;
    url.search = qs ? `?${qs}` : '';
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      fn();
    };
    const req = httpsRequest(
      url,
      {
        method,
        agent: this.agent,
        timeout: this.timeoutMs,
        headers: {
          accept: 'application/json',
          'user-agent': USER_AGENT,
          authorization: `Bearer ${this.target.token()}`,
          ...(body ? { 'content-length': Buffer.byteLength(body) } : {}),
          ...headers,
        },
      },
      (res) => {
        sink.head(res.statusCode ?? 0);
        let pending: Buffer[] = [];
        let pendingSize = 0;
        let total = 0;
        const flush = () => {
          if (pendingSize === 0) return;
          sink.chunk(Buffer.concat(pending));
          pending = [];
          pendingSize = 0;
        };
        res.on('data', (c: Buffer) => {
          total += c.length;
          if (total > MAX_TUNNEL_RESPONSE_BYTES) {
            res.destroy();
            return finish(() => sink.fail(`response over ${MAX_TUNNEL_RESPONSE_BYTES} bytes`));
          }
          for (let off = 0; off < c.length; ) {
            const take = Math.min(TUNNEL_CHUNK_BYTES - pendingSize, c.length - off);
            pending.push(c.subarray(off, off + take));
            pendingSize += take;
            off += take;
            if (pendingSize >= TUNNEL_CHUNK_BYTES) flush();
          }
        });
        res.on('end', () =>
          finish(() => {
            flush();
            sink.end();
          }),
        );
        res.on('error', (err) => finish(() => sink.fail(`the API server's answer broke off: ${err.message}`, true)));
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
    req.on('error', (err: Error & { code?: string }) => finish(() => sink.fail(`cannot reach the API server: ${err.code ?? err.message}`, true)));
    if (body) req.write(body);
    req.end();
  }

  /** A whole answer (the agent's own registration Secret). */
  private call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      this.send(method, path, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, {
        head: (s) => (status = s),
        chunk: (d) => chunks.push(d),
        end: () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }),
        fail: (m) => reject(new Error(m)),
      });
    });
  }

  private get secretPath(): string {
    return `/api/v1/namespaces/${AGENT_NAMESPACE}/secrets/${AGENT_REGISTRATION_SECRET}`;
  }

  /** The registration Secret's data, decoded. */
  async readRegistration(): Promise<{ data: Record<string, string>; object: Record<string, unknown> }> {
    const res = await this.call('GET', this.secretPath);
    if (res.status === 404) throw new Error(`secret ${AGENT_NAMESPACE}/${AGENT_REGISTRATION_SECRET} does not exist: attach the cluster with flotilla cluster attach NAME --agent`);
    if (res.status !== 200) throw new Error(`cannot read secret ${AGENT_NAMESPACE}/${AGENT_REGISTRATION_SECRET}: HTTP ${res.status}`);
    const object = JSON.parse(res.body) as { data?: Record<string, string> };
    const data = Object.fromEntries(Object.entries(object.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    return { data, object };
  }

  /** Replaces the registration Secret's data (the registration token goes once exchanged; the credential stays there). */
  async writeRegistration(object: Record<string, unknown>, data: Record<string, string>): Promise<void> {
    const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    const res = await this.call('PUT', this.secretPath, { ...object, data: encoded });
    if (res.status !== 200) throw new Error(`cannot update secret ${AGENT_NAMESPACE}/${AGENT_REGISTRATION_SECRET}: HTTP ${res.status}`);
  }
}
