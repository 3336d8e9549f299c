import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { ApiHarness, startApiHarness } from '../testing/api-test-harness';

// The API serves the built dashboard from its own origin (npm run build made dist/dashboard):
// cache headers, compression, the client routes, honest 404s, and GraphiQL only when asked for.
let api: ApiHarness;
let dev: ApiHarness;
before(async () => {
  api = await startApiHarness();
  dev = await startApiHarness({ FLOTILLA_GRAPHIQL: 'true' });
});
after(async () => {
  await api?.close();
  await dev?.close();
});

/** A raw GET (fetch would decompress and hide content-encoding). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/ is the dashboard page, revalidated on every load, allowed to load and call nothing but this origin', async () => {
  const r = await get(api.url, '/');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/html/);
  assert.equal(r.headers['cache-control'], 'no-cache');
  assert.match(String(r.headers['content-security-policy']), /default-src 'self'.*connect-src 'self'/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  const html = r.body.toString('utf8');
  assert.match(html, /<div id="root">/);
  assert.doesNotMatch(html, /https?:\/\//, 'no CDN, no external font');
});

test('a client route, opened directly or reloaded, gets the same page; an unknown path is a 404', async () => {
  const index = (await get(api.url, '/')).body.toString('utf8');
  for (const path of ['/clusters', '/clusters/0b7e4a52-3f0c-4d7e-9d51-5a8b2f1c9e10', '/policies', '/scans/x', '/audit', '/sign-in']) {
    const r = await get(api.url, path);
    assert.equal(r.status, 200, path);
    assert.equal(r.body.toString('utf8'), index, path);
  }
  assert.equal((await get(api.url, '/no-such-page')).status, 404);
  assert.equal((await get(api.url, '/assets/no-such-file.js')).status, 404);
});

test('hashed assets are cached for a year, sent brotli-compressed when accepted, and revalidate with their ETag', async () => {
  const html = (await get(api.url, '/')).body.toString('utf8');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
  assert.ok(script && style, html);
  const plain = await get(api.url, script);
  assert.equal(plain.status, 200);
  assert.match(String(plain.headers['content-type']), /^text\/javascript/);
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(plain.headers['content-encoding'], undefined);
  const br = await get(api.url, script, { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.ok(br.body.length < plain.body.length / 2);
  assert.deepEqual(brotliDecompressSync(br.body), plain.body);
  const again = await get(api.url, script, { 'if-none-match': String(plain.headers.etag) });
  assert.equal(again.status, 304);
  const css = (await get(api.url, style)).body.toString('utf8');
  assert.doesNotMatch(css, /@import|url\(\s*['"]?https?:/, 'no external stylesheet or font');
});

test('GraphiQL answers only where FLOTILLA_GRAPHIQL turned it on; GraphQL is served either way', async () => {
  assert.equal((await get(api.url, '/graphiql')).status, 404);
  const page = await get(dev.url, '/graphiql');
  assert.equal(page.status, 200);
  assert.match(page.body.toString('utf8'), /graphiql/i);
  for (const h of [api, dev]) {
    const r = await h.gql(`{ viewer { role } }`);
    assert.equal(r.data?.viewer.role, 'ADMIN');
  }
});
