import { createHash } from 'node:crypto';
import { SecureContext, createSecureContext } from 'node:tls';
import { Pool, buildConnector } from 'undici';
import { KubeApiError } from './kube-api.error';

export type KubeMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * What the ClusterClient sends its requests through: a path (with query) relative to the cluster's
 * API root, answered with the body of a 2xx response or rejected with a KubeApiError. The direct
 * HTTPS transport dials the API server; the outbound agent's transport will carry the same
 * requests (only those isCataloguePath accepts) over its tunnel. The credential stays in here.
 */
export interface KubeTransport {
  request(method: KubeMethod, path: string, body?: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Frees connections no request is using (a job that will not call this cluster again soon). */
  closeIdleConnections(): void;
  close(): void;
}

export interface ClusterEndpoint {
  /** May carry a path prefix: https://host:6443/clusters/foo */
  apiServerUrl: string;
  token: string;
  caPem: string | null;
  insecureSkipTlsVerify?: boolean;
}

const USER_AGENT = 'flotilla-worker/0.1';
/** Connections per cluster: a far cluster's scan lists three kinds at once. */
const CONNECTIONS_PER_CLUSTER = 4;
const IDLE_CONNECTION_MS = 60_000;

/**
 * Dials the API server directly, through undici: a keep-alive pool per cluster (client-node 1.x
 * opens a new TLS connection per request: ~470 vs ~4,150 lists/s measured in MACHINE-NOTES) at about
 * two thirds of node:https' CPU per request (measured: 16 lists, kept alive, 1.8–3.7 vs 3.2–4.8 ms).
 * It verifies TLS against the stored CA, resumes the TLS session when it reconnects, bounds every
 * call with a timeout, and turns failures into KubeApiError with the server's reason.
 */
export class DirectHttpsTransport implements KubeTransport {
  private readonly origin: string;
  private readonly pathPrefix: string;
  /** One per transport, so that its TLS session cache outlives the pools it connects. */
  private readonly connector: buildConnector.connector;
  /**
   * The latest TLS session ticket, held here because undici's session cache holds it only weakly:
   * after a garbage collection every reconnect was a full handshake (certificate and all), which is
   * what a scan's reconnect always was, a minute or more after the last.
   */
  private tlsSession: Buffer | null = null;
  private pool: Pool | null = null;
  private inFlight = 0;
  private retired = false;

  constructor(
    private readonly endpoint: ClusterEndpoint,
    private readonly opts: { timeoutMs: number },
  ) {
    const base = new URL(endpoint.apiServerUrl);
    this.origin = base.origin;
    this.pathPrefix = base.pathname.replace(/\/+$/, '');
    if (base.protocol === 'https:') {
      this.connector = this.keepingTlsSession(
        buildConnector({
          timeout: opts.timeoutMs,
          maxCachedSessions: 1,
          // One TLS context per CA bundle, shared by every client that trusts it: building a context
          // parses the PEM, which cost ~4 ms per cluster in a 1,000-cluster scan.
          ...(endpoint.caPem ? { secureContext: secureContextFor(endpoint.caPem) } : {}),
          rejectUnauthorized: !endpoint.insecureSkipTlsVerify,
        }),
      );
    } else if (endpoint.insecureSkipTlsVerify) {
      this.connector = buildConnector({ timeout: opts.timeoutMs });
    } else {
      throw new KubeApiError('refusing a plain-http API server URL without the insecure flag', null, 'Insecure', false);
    }
  }

  /**
   * Retires the transport: idle connections close now, those carrying a request when that request
   * ends. A client is replaced (renewed credential, changed URL) while another job may still be
   * using it, and destroying its sockets then failed that job with "connection reset".
   */
  close(): void {
    this.retired = true;
    this.release();
  }

  /**
   * Closes the keep-alive connections when no request is using them (the next request opens one
   * again, resuming the TLS session): at 10,000 clusters the idle TLS buffers of a fleet scan are
   * hundreds of MiB of worker RSS.
   */
  closeIdleConnections(): void {
    if (this.inFlight === 0) this.release();
  }

  async request(method: KubeMethod, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    const [p, qs] = path.split('?');
    const pool = (this.pool ??= new Pool(this.origin, {
      connect: this.connector,
      connections: CONNECTIONS_PER_CLUSTER,
      keepAliveTimeout: IDLE_CONNECTION_MS,
      headersTimeout: this.opts.timeoutMs,
      bodyTimeout: this.opts.timeoutMs,
    }));
    // A connection that has just answered its first request is free again only a turn of the event
    // loop later: a request sent before then opened a second connection (another TLS handshake, on
    // both sides) for every cluster listed one list at a time.
    const { connected, free, running, pending } = pool.stats;
    if (connected > 0 && free === 0 && running === 0 && pending === 0) await new Promise((resolve) => setImmediate(resolve));
    // The idle timeouts above cover a silent server; the overall deadline covers slow trickles.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.opts.timeoutMs);
    this.inFlight++;
    try {
      const res = await pool.request({
        method,
        path: `${this.pathPrefix}${p}${qs ? `?${qs}` : ''}`,
        headers: { accept: 'application/json', 'user-agent': USER_AGENT, authorization: `Bearer ${this.endpoint.token}`, ...headers },
        body,
        signal: deadline.signal,
      });
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, body: text };
      throw statusError(method, path, res.statusCode, text, res.headers['retry-after']);
    } catch (err) {
      if (err instanceof KubeApiError) throw err;
      throw transportError(method, path, deadline.signal.aborted ? timedOut(this.opts.timeoutMs) : (err as Error & { code?: string }), this.opts.timeoutMs);
    } finally {
      clearTimeout(timer);
      this.inFlight--;
      if (this.retired && this.inFlight === 0) this.release();
    }
  }

  /** The connector, keeping (strongly) the session ticket of each TLS connection it opens. */
  private keepingTlsSession(connect: buildConnector.connector): buildConnector.connector {
    return (options, callback) =>
      connect(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('TLS connection failed'), null);
        socket.on('session', (session: Buffer) => (this.tlsSession = session));
        callback(null, socket);
      });
  }

  /** Closes the pool once its requests are done (undici's close waits for them). */
  private release(): void {
    const pool = this.pool;
    this.pool = null;
    pool?.close().catch(() => undefined);
  }
}

const timedOut = (ms: number) => Object.assign(new Error(`timed out after ${ms} ms`), { code: 'ETIMEDOUT' });

const secureContexts = new Map<string, SecureContext>();
const MAX_SECURE_CONTEXTS = 1000;

function secureContextFor(caPem: string): SecureContext {
  const key = createHash('sha256').update(caPem).digest('hex');
  let ctx = secureContexts.get(key);
  if (!ctx) {
    if (secureContexts.size >= MAX_SECURE_CONTEXTS) secureContexts.delete(secureContexts.keys().next().value as string);
    ctx = createSecureContext({ ca: caPem });
    secureContexts.set(key, ctx);
  }
  return ctx;
}

export function statusError(method: string, path: string, status: number, text: string, retryAfter?: string | string[]): KubeApiError {
  let reason: string | null = null;
  let message = text.slice(0, 300);
  try {
    const s = JSON.parse(text) as { kind?: string; reason?: string; message?: string };
    if (s.kind === 'Status') {
      reason = s.reason ?? null;
      message = s.message ?? message;
    }
  } catch {
    /* not a Status object */
  }
  const retry = retryAfter ? ` (retry after ${retryAfter}s)` : '';
  return new KubeApiError(`${method} ${path.split('?')[0]}: HTTP ${status}${reason ? ` ${reason}` : ''}: ${message}${retry}`, status, reason, false);
}

/**
 * A failure without an HTTP answer, with the socket's code: undici's own codes are named as the
 * socket's (a closed socket is a reset, its timeouts are timeouts), and a connect error keeps the
 * code tls or net gave it (ECONNREFUSED, a certificate's verification code, …).
 */
function transportError(method: string, path: string, err: Error & { code?: string; cause?: unknown }, timeoutMs: number): KubeApiError {
  const cause = err.cause as (Error & { code?: string }) | undefined;
  let code = err.code ?? cause?.code;
  let message = err.message;
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    code = cause?.code && !cause.code.startsWith('UND_ERR') ? cause.code : 'ECONNRESET';
    message = 'connection reset by the server';
  } else if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    code = 'ETIMEDOUT';
    message = `timed out after ${timeoutMs} ms`;
  }
  const prefix = code ? `${code}: ` : '';
  return new KubeApiError(`${method} ${path.split('?')[0]}: ${prefix}${message}`, null, code ?? 'Transport', true);
}
