import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '@flotilla/config';
import { JobRecordRepository } from '@flotilla/persistence';
import { InvalidJobPayloadError, JobName, QueueName, isLastAttempt, parsePayload } from '@flotilla/queue';
import { redactText } from '@flotilla/observability';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { JobHandlerRegistry, RUN_RECORDED } from './job-handler.registry';

/**
 * What every queue's processor does around a handler: validate the payload (invalid → fail
 * without retries), keep the durable job record, and dispatch by job name.
 */
export abstract class JobProcessorBase extends WorkerHost implements OnApplicationBootstrap {
  protected abstract readonly queue: QueueName;
  private readonly logger = new Logger(this.constructor.name);
  private readonly shutdown = new AbortController();

  constructor(
    protected readonly registry: JobHandlerRegistry,
    protected readonly jobRecords: JobRecordRepository,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.queue.concurrency;
    this.worker.on('closing', () => this.shutdown.abort());
  }

  async process(job: Job): Promise<void> {
    const name = job.name as JobName;
    const id = job.id ?? `${name}:unknown`;
    let payload: { organizationId: string };
    try {
      payload = parsePayload(name, job.data);
    } catch (err) {
      if (err instanceof InvalidJobPayloadError) throw new UnrecoverableError(err.message);
      throw err;
    }
    // Syncs run for every cluster every interval and record their outcome on the cluster row
    // itself; a durable job row each (~600,000 an hour at 10,000 clusters) would only bloat the table.
    const recorded = name !== JobName.SyncCluster;
    const handlerRecords = this.registry.recordsItsRun(name);
    const attempt = job.attemptsMade + 1;
    const run = { jobId: id, organizationId: payload.organizationId, queue: this.queue, jobName: name, attempt, startedAt: new Date() };
    if (recorded && !handlerRecords) await this.jobRecords.started(id, run);
    const finished = (outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: string }) =>
      handlerRecords ? this.jobRecords.ran(run, outcome) : this.jobRecords.finished(id, outcome);
    try {
      const result = await this.registry.get(name)(payload as never, { jobId: id, attempt, queue: this.queue, startedAt: run.startedAt, lastAttempt: isLastAttempt(job), signal: this.shutdown.signal });
      if (recorded && result !== RUN_RECORDED) await finished({ status: 'SUCCEEDED' });
    } catch (err) {
      const message = redactText((err as Error).message ?? String(err));
      this.logger.warn({ jobId: id, job: name, attempt, error: message }, 'job failed');
      if (recorded) await finished({ status: 'FAILED', error: message });
      throw err;
    }
  }
}
