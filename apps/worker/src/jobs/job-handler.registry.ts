import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '@flotilla/queue';

export interface JobContext {
  jobId: string;
  attempt: number;
  /** No retry follows if this run throws: a handler that must leave a record (FAILED, ERROR) writes it now. */
  lastAttempt: boolean;
  /** Set when the worker is shutting down: long handlers stop at a safe point. */
  signal: AbortSignal;
}

export type JobHandler<J extends JobName> = (payload: JobPayloads[J], ctx: JobContext) => Promise<void>;

/**
 * Every job name has exactly one handler. Feature services register theirs at module init; the
 * worker refuses to start when a name has none (a job nobody runs would wait forever).
 */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobName, JobHandler<any>>();

  register<J extends JobName>(name: J, handler: JobHandler<J>): void {
    if (this.handlers.has(name)) throw new Error(`job ${name} already has a handler`);
    this.handlers.set(name, handler);
  }

  get<J extends JobName>(name: J): JobHandler<J> {
    const h = this.handlers.get(name);
    if (!h) throw new Error(`no handler for job ${name}`);
    return h;
  }

  assertComplete(expected: JobName[] = Object.values(JobName)): void {
    const missing = expected.filter((n) => !this.handlers.has(n));
    if (missing.length) throw new Error(`the worker cannot start: no handler for ${missing.join(', ')}`);
  }
}
