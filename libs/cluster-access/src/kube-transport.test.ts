import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { DirectHttpsTransport } from './kube-transport';

/** A plain-http API server that answers after `delayMs`, and remembers every connection it accepted. */
async function slowServer(delayMs: number): Promise<{ server: Server; url: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((_req, res) => setTimeout(() => res.end('{"ok":true}'), delayMs));
  server.on('connection', (s) => sockets.push(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, sockets };
}

const transportTo = (url: string) => new DirectHttpsTransport({ apiServerUrl: url, token: 'test-token-0000', caPem: null, insecureSkipTlsVerify: true }, { timeoutMs: 5000 });

test('a transport closed while a request is in flight lets that request finish, then closes its connection', async () => {
  const { server, url, sockets } = await slowServer(150);
  try {
    const transport = transportTo(url);
    const pending = transport.request('GET', '/version');
    await new Promise((r) => setTimeout(r, 30));
    transport.close(); // what the client cache does when a renewed credential replaces this client
    const answer = await pending;
    assert.equal(answer.status, 200);
    assert.equal(sockets.length, 1);
    await once(sockets[0], 'close'); // not kept alive: the retired transport's socket goes away
  } finally {
    server.close();
  }
});

test('a transport closed with nothing in flight closes its keep-alive connections at once', async () => {
  const { server, url, sockets } = await slowServer(0);
  try {
    const transport = transportTo(url);
    await transport.request('GET', '/version');
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0].destroyed, false, 'kept alive after the answer');
    const closed = once(sockets[0], 'close');
    transport.close();
    await closed;
  } finally {
    server.close();
  }
});
