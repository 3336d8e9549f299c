import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { WEBHOOK_LIMITS, WebhookUrlOptions, addressRefusal } from '@flotilla/notifications';

export interface SendResult {
  /** The HTTP status, or null when no response came (connection refused, timeout, refused address). */
  status: number | null;
  /** Why it failed, in words safe to store and log (never the secret, never the body). */
  error: string | null;
}

class RefusedDestination extends Error {}

/**
 * The one place a webhook is dialled: node:http(s) (no redirects followed — node never follows
 * them), one connection per attempt, the whole exchange under one deadline, at most
 * WEBHOOK_LIMITS.maxResponseBytes of the answer read. Every address the host resolves to is
 * checked at connect time (addressRefusal), so a name that resolves to a private or link-local
 * address — or is re-pointed there after the webhook was created — is never dialled.
 */
export class WebhookSender {
  constructor(private readonly opts: WebhookUrlOptions & { timeoutMs: number }) {}

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) {
      const why = addressRefusal(host, this.opts);
      if (why) return { status: null, error: `destination refused: ${why}` };
    }
    const payload = Buffer.from(body, 'utf8');
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const done = (r: SendResult) => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const req = request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(payload.length) },
          agent: false,
          signal,
          lookup: (hostname: string, options: object, cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) =>
            this.checkedLookup(hostname, options, cb),
        },
        (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > WEBHOOK_LIMITS.maxResponseBytes) res.destroy();
          });
          const status = res.statusCode ?? null;
          const finish = () => done({ status, error: status !== null && status >= 200 && status < 300 ? null : `answered ${status}` });
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => done({ status: null, error: describeError(err, signal) }));
      req.end(payload);
    });
  }

  private checkedLookup(
    hostname: string,
    options: object,
    cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '');
      const list = addresses;
      const refused = list.map((a) => addressRefusal(a.address, this.opts)).find((w) => w !== null);
      if (refused || list.length === 0) return cb(new RefusedDestination(`destination refused: it resolves to ${refused ?? 'no address'}`), '');
      // Node asks for all addresses (autoSelectFamily) or one.
      if ((options as { all?: boolean }).all) return cb(null, list);
      cb(null, list[0].address, list[0].family);
    });
  }
}

function describeError(err: NodeJS.ErrnoException, signal: AbortSignal): string {
  if (err instanceof RefusedDestination) return err.message;
  if (signal.aborted || err.name === 'AbortError' || err.name === 'TimeoutError') return 'timed out';
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS name not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'timed out';
    default:
      if (err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT')) return 'TLS certificate not trusted';
      return `connection failed (${err.code ?? 'error'})`;
  }
}
