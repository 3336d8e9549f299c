/**
 * `npm run dev`: the whole product on one machine — PostgreSQL and Redis (started if absent),
 * migrations, a kube-sim fleet, the API, the worker, an admin token, and every simulated cluster
 * attached through the CLI's own attach command. Ctrl-C stops it all.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapAdmin } from '../libs/access/src';
import { loadConfig } from '../libs/config/src';
import { migrate } from '../libs/persistence/src';
import { run as runCli } from '../apps/cli/src/main';
import { startKubeSim } from '../apps/kube-sim/src';
import { StartedService, postgresAnswers, redisAnswers, startEmbeddedPostgres, startRedisServer } from './dev-services';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
const stateDir = join(root, '.flotilla');
const clusters = Number(process.env.FLOTILLA_DEV_CLUSTERS ?? 20);
const children: ChildProcess[] = [];
const services: StartedService[] = [];

function say(line: string) {
  process.stdout.write(`[dev] ${line}\n`);
}

/** Starts a node process and resolves with the first stdout line matching `ready`. */
function startProcess(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<RegExpMatchArray> {
  const child = spawn(process.execPath, [join(dist, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (process.env.FLOTILLA_DEV_VERBOSE) process.stdout.write(text.replace(/^/gm, `[${name}] `));
      buffered += text;
      const m = buffered.match(ready);
      if (m) resolve(m);
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk.toString().replace(/^/gm, `[${name}] `)));
    child.on('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
}

async function shutdown(code: number): Promise<never> {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  for (const s of services.reverse()) await s.stop().catch(() => undefined);
  process.exit(code);
}

async function main() {
  mkdirSync(stateDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, FLOTILLA_KEY_FILE: process.env.FLOTILLA_KEY_FILE ?? join(stateDir, 'encryption.key') };
  let config = loadConfig(env);

  if (!(await postgresAnswers(config.database.url))) {
    say('PostgreSQL is not reachable; starting an embedded one (first start takes a few seconds)');
    const pg = await startEmbeddedPostgres(stateDir);
    services.push(pg);
    env.DATABASE_URL = pg.url;
  }
  if (!(await redisAnswers(config.redis.url))) {
    say('Redis is not reachable; starting redis-server');
    const redis = await startRedisServer();
    services.push(redis);
    env.REDIS_URL = redis.url;
  }
  config = loadConfig(env);
  const applied = await migrate(config.database.url);
  say(`database ready (${applied.length} migrations applied)`);

  // In this process: the dev script needs the simulator's CA and kubeconfigs anyway.
  const sim = await startKubeSim({ clusters, port: Number(process.env.FLOTILLA_DEV_KUBE_SIM_PORT ?? 6443), seed: 1, tls: true });
  services.push({ url: sim.url, stop: () => sim.stop() });
  say(`kube-sim fleet of ${clusters} clusters at ${sim.url} (admin API: ${sim.url}/_sim/clusters)`);
  const [, apiUrl] = await startProcess('api', 'apps/api/src/main.js', [], env, /listening on (\S+)/);
  await startProcess('worker', 'apps/worker/src/main.js', [], env, /worker started/);

  const { token, organizationName } = await bootstrapAdmin({ databaseUrl: config.database.url, organizationName: process.env.FLOTILLA_DEV_ORG ?? 'demo' });
  const names = sim.clusterNames();
  const cliEnv = { ...env, FLOTILLA_API_URL: apiUrl.replace(/\/graphql$/, ''), FLOTILLA_TOKEN: token };
  await detachPreviousRun(apiUrl, token);
  mkdirSync(join(stateDir, 'kubeconfigs'), { recursive: true });
  let attached = 0;
  const attachOne = async (name: string) => {
    const file = join(stateDir, 'kubeconfigs', `${name}.yaml`);
    writeFileSync(file, sim.kubeconfig(name), { mode: 0o600 });
    let errors = '';
    const io = { out: () => undefined, err: (s: string) => void (errors += s) };
    const code = await runCli(['cluster', 'attach', name, '--kubeconfig', file, '--update', '--label', 'env=demo'], { env: cliEnv, io });
    if (code === 0) attached++;
    else process.stderr.write(`[dev] attaching ${name} failed:\n${errors}`);
  };
  // A few at a time: each attach waits for the simulated token controller.
  const queue = [...names];
  await Promise.all(Array.from({ length: 5 }, async () => {
    for (let name = queue.shift(); name; name = queue.shift()) await attachOne(name);
  }));
  say(`${attached} of ${names.length} clusters attached through 'flotilla cluster attach' (kubeconfigs in ${join(stateDir, 'kubeconfigs')})`);
  process.stdout.write(
    [
      '',
      `Flotilla is up (organization "${organizationName}").`,
      `  GraphQL:     ${apiUrl}`,
      `  Admin token: ${token}`,
      `  Try:         curl -s ${apiUrl} -H 'authorization: Bearer ${token.slice(0, 8)}…' -H 'content-type: application/json' -d '{"query":"{ fleetSummary { clusterCount byStatus { status count } } }"}'`,
      `  CLI:         npx flotilla login --api ${apiUrl.replace(/\/graphql$/, '')} --token <token>; npx flotilla cluster list`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

/**
 * A new kube-sim has a new CA: clusters attached by an earlier `npm run dev` are detached (their
 * history stays) so this run attaches the fleet afresh.
 */
async function detachPreviousRun(apiUrl: string, token: string): Promise<void> {
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
  };
  for (;;) {
    const page = await gql(`{ clusters(first: 200) { edges { node { id } } } }`);
    const ids: string[] = page.data?.clusters.edges.map((e: { node: { id: string } }) => e.node.id) ?? [];
    if (ids.length === 0) return;
    for (const id of ids) await gql(`mutation($id: ID!) { detachCluster(id: $id) { id } }`, { id });
    say(`detached ${ids.length} clusters of an earlier run`);
  }
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch(async (err: Error) => {
  process.stderr.write(`[dev] ${err.message}\n`);
  await shutdown(1);
});
