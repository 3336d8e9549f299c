import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT_API } from './cli-error';

/** What `flotilla login` stores: the API's URL and a bearer token (a secret: the file is 0600). */
export interface CliConfig {
  api: string;
  token: string;
}

export type Env = Record<string, string | undefined>;

/** FLOTILLA_CONFIG (tests, several accounts) › $XDG_CONFIG_HOME/flotilla › ~/.config/flotilla. */
export function configPath(env: Env = process.env): string {
  if (env.FLOTILLA_CONFIG) return env.FLOTILLA_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'flotilla', 'config.json');
}

/** The stored config, or undefined when there is none. Refuses a file others can read: it holds a token. */
export function readConfigFile(path: string): CliConfig | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new CliError(
      `refusing to use ${path}: it holds an API token but group/others can access it (mode ${octal}). Fix it with: chmod 600 ${path}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CliError(`${path} is not valid JSON: run flotilla login again`);
  }
  const c = parsed as Partial<CliConfig> | null;
  if (!c || typeof c.api !== 'string' || typeof c.token !== 'string') {
    throw new CliError(`${path} lacks "api" or "token": run flotilla login again`);
  }
  return { api: c.api, token: c.token };
}

/** Writes the config atomically, created 0600 in a 0700 directory (whatever the umask). */
export function writeConfigFile(path: string, config: CliConfig): void {
  const dir = dirname(path);
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created) chmodSync(dir, 0o700);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ api: config.api, token: config.token }, null, 2)}\n`, { mode: 0o600, flag: 'w' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`);
  }
}

/** The API and token to use: FLOTILLA_API_URL / FLOTILLA_TOKEN override the stored config. */
export function resolveCredentials(env: Env = process.env): CliConfig {
  const fromEnv = { api: env.FLOTILLA_API_URL, token: env.FLOTILLA_TOKEN };
  // Both given: the file is not needed (and a broken one does not stand in the way).
  const stored = fromEnv.api && fromEnv.token ? undefined : readConfigFile(configPath(env));
  const api = fromEnv.api || stored?.api;
  const token = fromEnv.token || stored?.token;
  if (!api || !token) {
    throw new CliError('not logged in: run flotilla login --api URL --token T (or set FLOTILLA_API_URL and FLOTILLA_TOKEN)', EXIT_API);
  }
  return { api, token };
}
