import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  authorization?: string;
  operationName: string;
  query: string;
  variables: Record<string, any>;
}

export type Handler = (variables: Record<string, any>) => { data?: unknown; errors?: unknown[]; status?: number };

/**
 * A stand-in for the Flotilla API over real HTTP, answering each operation by name, so the CLI's
 * transport (fetch, headers, JSON, errors) is exercised for real. Records every request.
 */
export async function startFakeGraphqlApi(handlers: Record<string, Handler>): Promise<{ url: string; requests: RecordedRequest[]; stop(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { operationName: string; query: string; variables?: Record<string, any> };
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization, operationName: body.operationName, query: body.query, variables: body.variables ?? {} });
      const handler = handlers[body.operationName];
      const answer = handler ? handler(body.variables ?? {}) : { errors: [{ message: `no handler for ${body.operationName}` }] };
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: answer.data ?? null, ...(answer.errors ? { errors: answer.errors } : {}) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // fetch keeps connections alive; do not wait for them to idle out
      }),
  };
}

/** Captures what a command prints. */
export function captureIo(): { out: string; err: string; io: { out(s: string): void; err(s: string): void } } {
  const captured = {
    out: '',
    err: '',
    io: {
      out: (s: string) => {
        captured.out += s;
      },
      err: (s: string) => {
        captured.err += s;
      },
    },
  };
  return captured;
}
