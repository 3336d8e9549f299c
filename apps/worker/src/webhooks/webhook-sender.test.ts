import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebhookSender } from './webhook-sender';

let server: Server;
let port = 0;
const hits: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    if (req.url === '/redirect') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
    if (req.url === '/huge') {
      // Far more than the 64 KiB the sender reads; it stops reading and the exchange ends.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const write = (n: number): void => {
        if (n === 0 || res.destroyed) return void res.end();
        res.write(chunk, () => write(n - 1));
      };
      return write(400);
    }
    if (req.url === '/hang') return;
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const dev = new WebhookSender({ allowHttpLoopback: true, timeoutMs: 1000 });
const prod = new WebhookSender({ allowHttpLoopback: false, timeoutMs: 1000 });

test('a 2xx is delivered; a redirect is answered as such and never followed', async () => {
  assert.deepEqual(await dev.send(`http://127.0.0.1:${port}/ok`, {}, '{}'), { status: 204, error: null });
  const before = hits.length;
  assert.deepEqual(await dev.send(`http://127.0.0.1:${port}/redirect`, {}, '{}'), { status: 302, error: 'answered 302' });
  assert.deepEqual(hits.slice(before), ['/redirect'], 'the redirect target was not requested');
});

test('without the development flag, a name resolving to loopback and a loopback literal are never dialled', async () => {
  const before = hits.length;
  const byName = await prod.send(`http://localhost:${port}/ok`, {}, '{}');
  assert.equal(byName.status, null);
  assert.match(byName.error ?? '', /destination refused: it resolves to a loopback address/);
  const literal = await prod.send(`http://127.0.0.1:${port}/ok`, {}, '{}');
  assert.deepEqual(literal, { status: null, error: 'destination refused: a loopback address' });
  assert.deepEqual((await prod.send('http://169.254.169.254/latest/meta-data', {}, '{}')).error, 'destination refused: a link-local address');
  assert.equal(hits.length, before, 'nothing reached the server');
});

test('a receiver that never answers times out; one that answers without end is read only up to the cap', async () => {
  assert.deepEqual(await dev.send(`http://127.0.0.1:${port}/hang`, {}, '{}'), { status: null, error: 'timed out' });
  const huge = await dev.send(`http://127.0.0.1:${port}/huge`, {}, '{}');
  assert.equal(huge.status, 200);
});

test('a closed port is a connection refused, in words safe to store', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const p = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  assert.deepEqual(await dev.send(`http://127.0.0.1:${p}/x`, {}, '{}'), { status: null, error: 'connection refused' });
});
