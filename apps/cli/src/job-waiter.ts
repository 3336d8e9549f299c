import { InvalidArgumentError } from 'commander';
import { CliError } from './cli-error';

export const TERMINAL_JOB_STATUSES = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface WaitOptions<T> {
  /** Reads the current state. */
  read: () => Promise<T>;
  done: (value: T) => boolean;
  /** One progress line per state; printed only when it changes. */
  describe: (value: T) => string;
  onProgress: (line: string) => void;
  timeoutMs: number;
  intervalMs?: number;
  what: string;
}

/** Polls a job (scan, upgrade, inspection) until it finishes, reporting progress; bounded by timeoutMs. */
export async function waitForJob<T>(o: WaitOptions<T>): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  for (;;) {
    const value = await o.read();
    const line = o.describe(value);
    if (line !== last) {
      o.onProgress(line);
      last = line;
    }
    if (o.done(value)) return value;
    if (Date.now() + (o.intervalMs ?? 1000) > deadline) {
      throw new CliError(`gave up waiting for ${o.what} after ${Math.round(o.timeoutMs / 1000)} s (last: ${line}); it goes on without the CLI`);
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
  }
}

/** `--timeout <seconds>` parser. */
export function parseSeconds(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a whole number of seconds above 0');
  return n;
}

/** `--limit <n>` parser. */
export function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}
