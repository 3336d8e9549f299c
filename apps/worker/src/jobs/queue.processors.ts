import { Processor } from '@nestjs/bullmq';
import { QueueName } from '@flotilla/queue';
import { JobProcessorBase } from './job.processor-base';

/** One BullMQ processor per queue; handlers for their job names live in the feature services. */
@Processor(QueueName.ClusterSync)
export class ClusterSyncProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.ClusterSync;
}

@Processor(QueueName.Compliance)
export class ComplianceProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.Compliance;
}

@Processor(QueueName.Upgrade)
export class UpgradeProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.Upgrade;
}

@Processor(QueueName.Inspection)
export class InspectionProcessor extends JobProcessorBase {
  protected readonly queue = QueueName.Inspection;
}

export const QUEUE_PROCESSORS = [ClusterSyncProcessor, ComplianceProcessor, UpgradeProcessor, InspectionProcessor];
