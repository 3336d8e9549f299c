import { Processor } from '@nestjs/bullmq';
import { QueueName, WORKER_LOCK_OPTIONS } from '@flotilla/queue';
import { WEBHOOK_BACKOFF_TYPE, WEBHOOK_LIMITS, retryDelayMs } from '@flotilla/notifications';
import { JobProcessorBase } from './job.processor-base';

/**
 * One BullMQ processor per queue; handlers for their job names live in the feature services. Every
 * one takes WORKER_LOCK_OPTIONS: a dead worker's jobs move on within seconds, a live one keeps them.
 */
@Processor(QueueName.ClusterSync, { ...WORKER_LOCK_OPTIONS })
export class ClusterSyncProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.ClusterSync;
}

@Processor(QueueName.Compliance, { ...WORKER_LOCK_OPTIONS })
export class ComplianceProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.Compliance;
}

@Processor(QueueName.Upgrade, { ...WORKER_LOCK_OPTIONS })
export class UpgradeProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.Upgrade;
}

@Processor(QueueName.Inspection, { ...WORKER_LOCK_OPTIONS })
export class InspectionProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.Inspection;
}

/**
 * Webhook deliveries retry on their own schedule: exponential with jitter from the queue's base
 * delay (FLOTILLA_WEBHOOK_RETRY_BASE_MS, set as the jobs' backoff.delay by QueueSet).
 */
@Processor(QueueName.Webhook, {
  ...WORKER_LOCK_OPTIONS,
  settings: {
    backoffStrategy: (attemptsMade: number, type?: string, _err?: Error, job?: { opts: { backoff?: number | { delay?: number } } }) => {
      if (type !== WEBHOOK_BACKOFF_TYPE) return 0;
      const backoff = job?.opts.backoff;
      const base = typeof backoff === 'object' && backoff.delay ? backoff.delay : WEBHOOK_LIMITS.retryBaseMs;
      return retryDelayMs(attemptsMade, base);
    },
  },
})
export class WebhookProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.Webhook;
}

export const QUEUE_PROCESSORS = [ClusterSyncProcessor, ComplianceProcessor, UpgradeProcessor, InspectionProcessor, WebhookProcessor];
