/**
 * The processes `npm run dev` starts, each in a process group of its own (so a Ctrl-C in the
 * terminal reaches only dev.ts, which stops them in order) and stopped by signalling the whole
 * group and waiting for it to exit: nothing is left running, no port is left held.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { WriteStream, createWriteStream } from 'node:fs';

export interface ManagedProcess {
  name: string;
  pid: number;
  /** SIGTERM to the group; SIGKILL to the group if it has not exited within graceMs. Resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the process exits by itself or is stopped. */
  exited: Promise<number | null>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Everything the process writes (stdout and stderr) is appended here. */
  logFile?: string;
  /** Also copy its output to this process's stderr, each line prefixed with [name]. */
  echo?: boolean;
  /** Resolves start() with the first match in its stdout; without it start() resolves once spawned. */
  ready?: RegExp;
  readyTimeoutMs?: number;
}

export async function startManaged(o: StartOptions): Promise<{ process: ManagedProcess; match: RegExpMatchArray | null }> {
  const log: WriteStream | undefined = o.logFile ? createWriteStream(o.logFile, { flags: 'a', mode: 0o600 }) : undefined;
  log?.write(`--- ${new Date().toISOString()} ${o.name} starting\n`);
  const child: ChildProcess = spawn(o.command, o.args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? null : 0)));
    child.once('error', () => resolve(null));
  });
  // Close the log once every output pipe is drained (exit can come before the last chunk).
  child.once('close', () => log?.end());
  const managed: ManagedProcess = {
    name: o.name,
    pid: child.pid ?? -1,
    exited,
    stop: async (graceMs = 40_000) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return void (await exited);
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid as number, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Anything the process itself started in its group goes too.
      signalGroup(child.pid, 'SIGKILL');
    },
  };
  const forward = (chunk: Buffer) => {
    log?.write(chunk);
    if (o.echo) process.stderr.write(chunk.toString().replace(/^(?=.)/gm, `[${o.name}] `));
  };
  child.stderr?.on('data', forward);
  if (!o.ready) {
    child.stdout?.on('data', forward);
    return { process: managed, match: null };
  }
  const ready = o.ready;
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    let buffered: string | null = '';
    const timer = setTimeout(() => reject(new Error(`${o.name} was not ready after ${o.readyTimeoutMs ?? 60_000} ms${o.logFile ? ` (see ${o.logFile})` : ''}`)), o.readyTimeoutMs ?? 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      forward(chunk);
      if (buffered === null) return;
      buffered += chunk.toString();
      const m = buffered.match(ready);
      if (m) {
        clearTimeout(timer);
        buffered = null; // ready once: stop scanning
        resolve(m);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${o.name} exited with code ${code} before it was ready${o.logFile ? ` (see ${o.logFile})` : ''}`));
    });
  }).catch(async (err: Error) => {
    await managed.stop(5_000);
    throw err;
  });
  return { process: managed, match };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}
