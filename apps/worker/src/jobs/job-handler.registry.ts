import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '@flotilla/queue';

export interface JobContext {
  jobId: string;
  attempt: number;
  queue: string;
  /** When this run began, for its durable record. */
  startedAt: Date;
  /** No retry follows if this run throws: a handler that must leave a record (FAILED, ERROR) writes it now. */
  lastAttempt: boolean;
  /** Set when the worker is shutting down: long handlers stop at a safe point. */
  signal: AbortSignal;
}

/**
 * What a handler registered with `recordsItsRun` returns when it committed its run's record
 * (SUCCEEDED) with its work; otherwise the processor writes the record after it.
 */
export const RUN_RECORDED = Symbol('run recorded');

export type JobHandler<J extends JobName> = (payload: JobPayloads[J], ctx: JobContext) => Promise<void | typeof RUN_RECORDED>;

export interface HandlerOptions {
  /**
   * The handler records its own run (JobRecordRepository.recordRunCte in the statement that stores
   * its work), so the processor writes no RUNNING record before it: two writes fewer per job, for
   * jobs run once per cluster (a scan of 10,000 clusters).
   */
  recordsItsRun?: boolean;
}

/**
 * Every job name has exactly one handler. Feature services register theirs at module init; the
 * worker refuses to start when a name has none (a job nobody runs would wait forever).
 */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobName, JobHandler<any>>();
  private readonly ownRunRecords = new Set<JobName>();

  register<J extends JobName>(name: J, handler: JobHandler<J>, options: HandlerOptions = {}): void {
    if (this.handlers.has(name)) throw new Error(`job ${name} already has a handler`);
    this.handlers.set(name, handler);
    if (options.recordsItsRun) this.ownRunRecords.add(name);
  }

  recordsItsRun(name: JobName): boolean {
    return this.ownRunRecords.has(name);
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
