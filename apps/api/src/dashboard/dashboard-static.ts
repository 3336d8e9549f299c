import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** `vite build` writes the dashboard here (dist/dashboard); this file runs from dist/apps/api/src/dashboard. */
export const DEFAULT_DASHBOARD_DIR = resolve(__dirname, '../../../../dashboard');

/**
 * The dashboard's client routes (apps/dashboard/src/app/routes.ts): a deep link or a reload on
 * one of them gets index.html. Anything else that is not a file stays a plain 404, so a path the
 * API does not serve (such as /graphiql when it is off) never answers 200 with a page.
 */
export const DASHBOARD_ROUTES = ['/', '/sign-in', '/clusters', '/clusters/*', '/policies', '/policies/*', '/scans', '/scans/*', '/audit'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Same origin, no CDN: the page may load and call nothing but this server. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

interface StaticFile {
  type: string;
  etag: string;
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/**
 * Every built file, read once at start-up (the build is a few hundred kilobytes), with the
 * `.br` and `.gz` siblings the dashboard's build wrote beside the larger ones.
 */
function loadFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const all = walk(dir);
  const present = new Set(all);
  for (const full of all) {
    if (full.endsWith('.br') || full.endsWith('.gz')) continue;
    const body = readFileSync(full);
    files.set('/' + relative(dir, full).split(sep).join('/'), {
      type: TYPES[extname(full)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      body,
      br: present.has(`${full}.br`) ? readFileSync(`${full}.br`) : undefined,
      gzip: present.has(`${full}.gz`) ? readFileSync(`${full}.gz`) : undefined,
    });
  }
  return files;
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile, cacheControl: string, extra: Record<string, string> = {}): FastifyReply {
  reply.headers({ 'content-type': file.type, 'cache-control': cacheControl, etag: file.etag, vary: 'accept-encoding', ...extra });
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (file.br && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(file.br);
  if (file.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

/**
 * Serves the built dashboard from the API's own origin: hashed assets cached for a year
 * (their names change with their content), index.html and other files revalidated every time,
 * index.html for the client routes. Without a build it says how to make one.
 */
export function registerDashboard(fastify: FastifyInstance, dir: string = DEFAULT_DASHBOARD_DIR): void {
  if (!existsSync(join(dir, 'index.html'))) {
    fastify.get('/', async (_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build`.\n'));
    return;
  }
  const files = loadFiles(dir);
  const index = files.get('/index.html')!;
  for (const route of DASHBOARD_ROUTES) {
    fastify.get(route, async (request, reply) => send(request, reply, index, 'no-cache', PAGE_HEADERS));
  }
  fastify.get('/assets/*', async (request, reply) => {
    const file = files.get(request.url.split('?')[0]);
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    return send(request, reply, file, 'public, max-age=31536000, immutable');
  });
  for (const [path, file] of files) {
    if (path === '/index.html' || path.startsWith('/assets/')) continue;
    fastify.get(path, async (request, reply) => send(request, reply, file, 'no-cache'));
  }
}
