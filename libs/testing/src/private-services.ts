/**
 * Throwaway redis-server and PostgreSQL processes on free loopback ports, for tests and the chaos
 * suite that must kill and restart them (never the shared ones on 6379 and 5432). Their data lives
 * in a temporary folder removed by `remove()`.
 */
import { ChildProcess, spawn, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** A redis-server without persistence: a restart comes back empty, like a cache-configured Redis. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'flotilla-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.restart();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it (again) on the same port, empty. */
  async restart(): Promise<void> {
    if (this.child) await this.kill();
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    const child = this.child;
    await waitFor('redis-server', async () => {
      if (child.exitCode !== null) throw new Error('redis-server exited');
      return answersPing(this.port);
    }, 10_000);
  }

  /** SIGKILL: whatever it held is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
  }

  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A Redis Cluster of three masters (no replicas, no persistence) on free loopback ports, for the
 * tests that prove Flotilla runs on one (hash-tagged queues, sharded pub/sub).
 */
export class PrivateRedisCluster {
  private readonly children: ChildProcess[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'flotilla-redis-cluster-'));

  private constructor(readonly ports: number[]) {}

  static async start(masters = 3): Promise<PrivateRedisCluster> {
    const ports: number[] = [];
    while (ports.length < masters) {
      const port = await freePort();
      // Each node also listens on its cluster bus, port + 10000.
      if (port + 10000 <= 65535 && !ports.includes(port) && (await isFree(port + 10000))) ports.push(port);
    }
    const c = new PrivateRedisCluster(ports);
    try {
      for (const port of ports) {
        const dir = join(c.dir, String(port));
        mkdirSync(dir);
        const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--save', '', '--appendonly', 'no', '--dir', dir];
        c.children.push(spawn('redis-server', args, { stdio: 'ignore' }));
      }
      for (const port of ports) await waitFor(`redis-server :${port}`, () => answersPing(port), 10_000);
      execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore', timeout: 30_000 });
      await waitFor('the Redis Cluster', async () => ports.every((p) => /cluster_state:ok/.test(execFileSync('redis-cli', ['-p', String(p), 'cluster', 'info']).toString())), 20_000);
    } catch (err) {
      await c.remove();
      throw err;
    }
    return c;
  }

  /** REDIS_CLUSTER_NODES' value. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  /** How many keys matching a glob pattern each node holds, in port order. */
  keyCounts(pattern: string): number[] {
    return this.ports.map((p) => execFileSync('redis-cli', ['-p', String(p), '--scan', '--pattern', pattern]).toString().split('\n').filter(Boolean).length);
  }

  async remove(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(this.children.map(exited));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function answersPing(port: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  return new Promise<boolean>((resolve) => {
    const s = createConnection(port, '127.0.0.1');
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => (s.destroy(), resolve(d.toString().startsWith('+PONG'))));
    s.on('error', () => resolve(false));
  });
}

/** The PostgreSQL server binaries of the newest installed major (Debian's layout). */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!majors.length) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  return join(root, majors[0], 'bin');
}

/**
 * A PostgreSQL cluster of its own (initdb into a temp folder, trust auth on 127.0.0.1 only). As
 * root it runs as the `postgres` system user, which initdb requires.
 */
export class PrivatePostgres {
  private readonly bin = postgresBin();
  readonly dir = mkdtempSync(join(tmpdir(), 'flotilla-pg-'));
  private readonly data = join(this.dir, 'data');
  private readonly ids: { uid?: number; gid?: number };

  private constructor(readonly port: number) {
    if (userInfo().uid === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(this.dir, uid, gid);
      this.ids = { uid, gid };
    } else this.ids = {};
  }

  static async start(): Promise<PrivatePostgres> {
    const p = new PrivatePostgres(await freePort());
    execFileSync(join(p.bin, 'initdb'), ['-D', p.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...p.ids, stdio: 'ignore' });
    await p.startServer();
    return p;
  }

  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private pgCtl(args: string[]): void {
    execFileSync(join(this.bin, 'pg_ctl'), ['-D', this.data, ...args], { ...this.ids, stdio: 'ignore', timeout: 60_000 });
  }

  private async startServer(): Promise<void> {
    // Small and quick: fsync off (a throwaway cluster), enough connections for several replicas.
    const opts = `-c listen_addresses=127.0.0.1 -c port=${this.port} -c unix_socket_directories=${this.dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=64MB`;
    this.pgCtl(['-w', '-t', '60', '-l', join(this.dir, 'log'), '-o', opts, 'start']);
    const { Client } = await import('pg');
    await waitFor('PostgreSQL', async () => {
      const c = new Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        await c.query('SELECT 1');
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    }, 30_000);
  }

  /** A fast shutdown (every connection is cut) and a start, on the same port and data. */
  async restart(): Promise<void> {
    this.pgCtl(['-m', 'fast', '-w', 'stop']);
    await this.startServer();
  }

  async remove(): Promise<void> {
    try {
      this.pgCtl(['-m', 'immediate', '-w', 'stop']);
    } catch {
      /* not running */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
