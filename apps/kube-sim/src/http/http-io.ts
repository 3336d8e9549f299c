/** Small helpers for node:http: bodies in, JSON out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { ApiError, errors } from './api-error';
import { decodeProtobufObject, PROTOBUF } from './protobuf-body';

const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBuffer(req)).toString('utf8');
}

export function readBodyBuffer(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A request body as a value, by its Content-Type: JSON (the default), YAML or Kubernetes protobuf. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBodyBuffer(req);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType === PROTOBUF) return decodeProtobufObject(raw);
  const text = raw.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  if (contentType === 'application/yaml') {
    try {
      return parseYaml(text) as unknown;
    } catch (err) {
      throw errors.badRequest(`the body of the request could not be decoded as YAML: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

/** kube-apiserver compresses a response (when the client accepts gzip) only above 128 KiB. */
export const GZIP_THRESHOLD_BYTES = 128 * 1024;

export function acceptsGzip(req: IncomingMessage | undefined): boolean {
  const header = req?.headers['accept-encoding'];
  if (!header) return false;
  return String(header)
    .split(',')
    .some((part) => {
      const [coding, ...params] = part.trim().toLowerCase().split(';');
      return coding.trim() === 'gzip' && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
    });
}

export function sendRaw(res: ServerResponse, code: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (length > GZIP_THRESHOLD_BYTES && acceptsGzip(res.req)) {
    const gz = gzipSync(body, { level: 1 });
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': gz.length, 'Cache-Control': 'no-cache, private', ...headers });
    res.end(gz);
    return;
  }
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': length, 'Cache-Control': 'no-cache, private', ...headers });
  res.end(body);
}

export function sendBuffer(res: ServerResponse, body: Buffer): void {
  sendRaw(res, 200, 'application/json', body);
}

export function sendJson(res: ServerResponse, code: number, value: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, code, 'application/json', typeof value === 'string' ? value : JSON.stringify(value), headers);
}

export function sendStatus(res: ServerResponse, err: ApiError): void {
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.details.retryAfterSeconds);
  sendJson(res, err.code, err.toStatus(), headers);
}
