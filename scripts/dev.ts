/**
 * `npm run dev`: the whole product on one machine — PostgreSQL and Redis (started if absent),
 * migrations, a kube-sim fleet, the API (with the dashboard and GraphiQL), the worker, an admin
 * token, and every simulated cluster attached through the CLI's own attach command.
 *
 * SIGINT (Ctrl-C) or SIGTERM stops everything it started, children first, and waits for each to
 * exit. A restart keeps the state: the same clusters (matched by name, same ids, same history),
 * the same admin token (kept in the state directory, 0600, checked against the API each start).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bootstrapAdmin } from '@flotilla/access';
import { loadConfig } from '@flotilla/config';
import { migrate } from '@flotilla/persistence';
import { run as runCli } from '../apps/cli/src/main';
import { listClusters } from '../apps/cli/src/cluster-lookup';
import { GraphqlClient } from '../apps/cli/src/graphql-client';
import { KubeSim, startKubeSim } from '../apps/kube-sim/src';
import { AgentRunner } from '../apps/agent/src/agent-runner';
import { kubeconfigTarget } from '../apps/agent/src/agent-kube';
import { API_NODE_FLAGS } from '../apps/api/src/runtime-flags';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/runtime-flags';
import { ManagedProcess, startManaged } from './dev-processes';
import { StartedService, postgresAnswers, redisAnswers, startEmbeddedPostgres, startRedisServer } from './dev-services';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');

/** Every FLOTILLA_DEV_* setting, read here only (the README lists them). */
export interface DevSettings {
  clusters: number;
  /** How many of the clusters are attached through agents this script runs (the last ones by name). */
  agentClusters: number;
  kubeSimPort: number;
  seed: number;
  organization: string;
  stateDir: string;
  verbose: boolean;
}

export function devSettings(env: NodeJS.ProcessEnv = process.env): DevSettings {
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min}`);
    return n;
  };
  const clusters = int('FLOTILLA_DEV_CLUSTERS', 20, 0);
  return {
    clusters,
    agentClusters: Math.min(clusters, int('FLOTILLA_DEV_AGENT_CLUSTERS', Math.floor(clusters / 4), 0)),
    kubeSimPort: int('FLOTILLA_DEV_KUBE_SIM_PORT', 6443, 0),
    seed: int('FLOTILLA_DEV_SEED', 1, 0),
    organization: env.FLOTILLA_DEV_ORG || 'demo',
    stateDir: resolve(env.FLOTILLA_DEV_STATE_DIR || join(root, '.flotilla')),
    verbose: !!env.FLOTILLA_DEV_VERBOSE && env.FLOTILLA_DEV_VERBOSE !== '0' && env.FLOTILLA_DEV_VERBOSE !== 'false',
  };
}

const children: ManagedProcess[] = [];
const agents: Array<{ runner: AgentRunner; done: Promise<unknown> }> = [];
const services: StartedService[] = [];
let sim: KubeSim | undefined;

function say(line: string) {
  process.stdout.write(`[dev] ${line}\n`);
}

let stopping: Promise<never> | undefined;

/** Stops what was started, the newest first (worker, api, kube-sim, redis, postgres), then exits. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    say('stopping…');
    for (const a of agents) a.runner.stop();
    await Promise.all(agents.map((a) => a.done));
    for (const c of [...children].reverse()) await c.stop();
    if (sim) await sim.stop().catch(() => undefined);
    for (const s of [...services].reverse()) await s.stop().catch(() => undefined);
    say('stopped');
    process.exit(code);
  })();
  return stopping;
}

async function main() {
  const settings = devSettings();
  const { stateDir } = settings;
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLOTILLA_KEY_FILE: process.env.FLOTILLA_KEY_FILE ?? join(stateDir, 'encryption.key'),
    // Development: the API serves GraphiQL next to the dashboard.
    FLOTILLA_GRAPHIQL: process.env.FLOTILLA_GRAPHIQL ?? 'true',
    // The agent endpoint's own port: a free one when the API's is (tests), else 4001.
    FLOTILLA_AGENT_PORT: process.env.FLOTILLA_AGENT_PORT ?? (process.env.PORT === '0' ? '0' : '4001'),
    // Development: webhooks may go to http://localhost receivers (never to private addresses).
    FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK: process.env.FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK ?? 'true',
  };
  let config = loadConfig(env);

  if (!(await postgresAnswers(config.database.url))) {
    say('PostgreSQL is not reachable; starting an embedded one (first start takes a few seconds)');
    const pg = await startEmbeddedPostgres(stateDir);
    services.push(pg);
    env.DATABASE_URL = pg.url;
  }
  if (!(await redisAnswers(config.redis.url))) {
    say('Redis is not reachable; starting redis-server');
    const redis = await startRedisServer(63790, join(logDir, 'redis.log'));
    services.push(redis);
    env.REDIS_URL = redis.url;
  }
  config = loadConfig(env);
  const applied = await migrate(config.database.url);
  say(`database ready (${applied.length} migrations applied)`);

  // In this process: the dev script needs the simulator's kubeconfigs anyway. Same seed, same
  // fleet (names, flavors, content) on every start; what was written to it is not kept.
  sim = await startKubeSim({ clusters: settings.clusters, port: settings.kubeSimPort, seed: settings.seed, tls: true });
  say(`kube-sim fleet of ${settings.clusters} clusters at ${sim.url} (seed ${settings.seed}; admin API: ${sim.url}/_sim/clusters)`);

  const apiLog = join(logDir, 'api.log');
  const workerLog = join(logDir, 'worker.log');
  const api = await startManaged({
    name: 'api',
    command: process.execPath,
    args: [...API_NODE_FLAGS, join(dist, 'apps/api/src/main.js')],
    env,
    logFile: apiLog,
    echo: settings.verbose,
    ready: /listening on (\S+)/,
  });
  children.push(api.process);
  const graphqlUrl = (api.match as RegExpMatchArray)[1];
  const serverUrl = graphqlUrl.replace(/\/graphql$/, '');
  const worker = await startManaged({
    name: 'worker',
    command: process.execPath,
    args: [...WORKER_NODE_FLAGS, join(dist, 'apps/worker/src/main.js')],
    env,
    logFile: workerLog,
    echo: settings.verbose,
    ready: /worker started/,
  });
  children.push(worker.process);
  for (const c of children) void c.exited.then((code) => stopping ?? (process.stderr.write(`[dev] ${c.name} exited (code ${code}); see ${logDir}\n`), shutdown(1)));
  say(`api and worker logs: ${apiLog}, ${workerLog}`);

  const { token, reused } = await adminToken(stateDir, config.database.url, serverUrl, settings.organization);
  say(reused ? `admin token reused from ${tokenFile(stateDir)}` : `new admin token saved to ${tokenFile(stateDir)} (mode 0600)`);
  const agentNames = sim.clusterNames().slice(sim.clusterNames().length - settings.agentClusters);
  const attached = await attachFleet(sim, stateDir, serverUrl, token, env, new Set(agentNames));
  say(`${attached.attached} of ${sim.clusterNames().length} clusters attached through 'flotilla cluster attach' (${attached.updated} already known, kept their ids; kubeconfigs in ${join(stateDir, 'kubeconfigs')})`);
  if (agentNames.length) {
    startAgents(stateDir, agentNames, settings.verbose);
    say(`${agentNames.length} of them (${agentNames.join(', ')}) through outbound agents this script runs (attach --agent, then the agent's code as flotilla agent run does; they re-register on each start, as kube-sim forgets their Secrets)`);
  }
  if (attached.detached.length) say(`detached ${attached.detached.length} clusters an earlier run attached that this fleet no longer has: ${attached.detached.join(', ')}`);

  const query = JSON.stringify({ query: '{ fleetSummary { clusterCount byStatus { status count } } }' });
  process.stdout.write(
    [
      '',
      `Flotilla is up (organization "${settings.organization}").`,
      `  Dashboard:   ${serverUrl}/   (sign in with the admin token)`,
      `  GraphQL:     ${graphqlUrl}   (GraphiQL: ${serverUrl}/graphiql)`,
      `  Admin token: ${token}`,
      `  Try:         curl -s ${graphqlUrl} -H 'authorization: Bearer ${token}' -H 'content-type: application/json' -d '${query}'`,
      `  CLI:         export FLOTILLA_API_URL=${serverUrl} FLOTILLA_TOKEN=${token}; npx flotilla cluster list`,
      `  Logs:        ${logDir}/`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

const tokenFile = (stateDir: string) => join(stateDir, 'admin-token');

/**
 * The admin token of an earlier run when the API still accepts it as ADMIN of this organization;
 * otherwise (first start, another database, revoked or expired) a new one, saved 0600.
 */
async function adminToken(stateDir: string, databaseUrl: string, serverUrl: string, organization: string): Promise<{ token: string; reused: boolean }> {
  const file = tokenFile(stateDir);
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    try {
      const { viewer } = await new GraphqlClient({ api: serverUrl, token: saved }).request<{ viewer: { role: string; organization: { name: string } } }>('CliWhoAmI');
      if (viewer.role === 'ADMIN' && viewer.organization.name === organization) return { token: saved, reused: true };
    } catch {
      // not accepted any more: issue a new one below
    }
  }
  const { token } = await bootstrapAdmin({ databaseUrl, organizationName: organization });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, reused: false };
}

const DEV_LABEL = { key: 'env', value: 'demo' };

/**
 * Attaches every simulated cluster with `flotilla cluster attach --update`: a name already
 * attached keeps its id and history and only gets the new credential (a restarted kube-sim has a
 * new CA, maybe a new port). Clusters an earlier run attached (label env=demo) that the fleet no
 * longer has are detached.
 */
async function attachFleet(fleet: KubeSim, stateDir: string, serverUrl: string, token: string, env: NodeJS.ProcessEnv, throughAgents: Set<string> = new Set()) {
  const client = new GraphqlClient({ api: serverUrl, token });
  const names = fleet.clusterNames();
  const known = await listClusters<{ id: string; name: string; status: string }>(client, { labels: [DEV_LABEL] });
  const live = new Set(known.filter((c) => c.status !== 'DETACHED').map((c) => c.name));
  const cliEnv = { ...env, FLOTILLA_API_URL: serverUrl, FLOTILLA_TOKEN: token, FLOTILLA_CONFIG: join(stateDir, 'cli-config.json') };
  mkdirSync(join(stateDir, 'kubeconfigs'), { recursive: true, mode: 0o700 });
  let attached = 0;
  const attachOne = async (name: string) => {
    const file = join(stateDir, 'kubeconfigs', `${name}.yaml`);
    writeFileSync(file, fleet.kubeconfig(name), { mode: 0o600 });
    let errors = '';
    const io = { out: () => undefined, err: (s: string) => void (errors += s) };
    const label = ['--label', `${DEV_LABEL.key}=${DEV_LABEL.value}`];
    let code: number;
    if (throughAgents.has(name)) {
      // The simulated cluster forgot its registration Secret (kube-sim keeps no state): register it again.
      const old = known.find((c) => c.name === name && c.status !== 'DETACHED');
      if (old) await client.request('DetachCluster', { id: old.id });
      mkdirSync(join(stateDir, 'agents'), { recursive: true, mode: 0o700 });
      code = await runCli(['cluster', 'attach', name, '--kubeconfig', file, '--agent', '--no-wait', '--agent-kubeconfig-out', join(stateDir, 'agents', `${name}.yaml`), ...label], { env: cliEnv, io });
    } else {
      code = await runCli(['cluster', 'attach', name, '--kubeconfig', file, '--update', ...label], { env: cliEnv, io });
    }
    if (code === 0) attached++;
    else process.stderr.write(`[dev] attaching ${name} failed:\n${errors}`);
  };
  // A few at a time: each attach waits for the simulated token controller.
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        if (stopping) return;
        await attachOne(name);
      }
    }),
  );
  const gone = known.filter((c) => c.status !== 'DETACHED' && !names.includes(c.name));
  for (const c of gone) await client.request('DetachCluster', { id: c.id });
  return { attached, updated: names.filter((n) => live.has(n) && !throughAgents.has(n)).length, detached: gone.map((c) => c.name) };
}

/** The agents of the agent-attached clusters, in this process (kube-sim runs no pods): the same code as `flotilla agent run`. */
function startAgents(stateDir: string, names: string[], verbose: boolean): void {
  for (const name of names) {
    const runner = new AgentRunner({ target: kubeconfigTarget(join(stateDir, 'agents', `${name}.yaml`)), log: (line) => verbose && say(`${name}: ${line}`) });
    const done = runner.run().then((exit) => {
      if (exit.reason === 'refused' && !stopping) process.stderr.write(`[dev] the agent of ${name} stopped: ${exit.message}\n`);
    });
    agents.push({ runner, done });
  }
}

if (require.main === module) {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  main().catch(async (err: Error) => {
    process.stderr.write(`[dev] ${err.message}\n`);
    await shutdown(1);
  });
}
