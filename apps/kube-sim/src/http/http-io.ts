/** Small helpers for node:http: bodies in, JSON out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from './api-error';

const MAX_BODY = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
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
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

export function sendRaw(res: ServerResponse, code: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache, private', ...headers });
  res.end(body);
}

export function sendBuffer(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-cache, private' });
  res.end(body);
}

export function sendJson(res: ServerResponse, code: number, value: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, code, 'application/json', typeof value === 'string' ? value : JSON.stringify(value), headers);
}

export function sendStatus(res: ServerResponse, err: ApiError): void {
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.details.retryAfterSeconds);
  sendJson(res, err.code, err.toStatus(), headers);
}
