import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, ClusterRepository, InspectionEntity, InspectionRepository, JobRecordRepository, OutboxRepository } from '@flotilla/persistence';
import { isUuid } from '@flotilla/validation';
import { kubeRelease } from '@flotilla/validation';
import { JobName, QueueName, jobIds, outboxMessage } from '@flotilla/queue';
import { ViewerContext } from '../auth/viewer';
import { clusterScope, seesCluster } from '../auth/workspace-restriction';
import { badInput, notFound } from '../common/domain.errors';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { InspectionKindEnum, RunInspectionInput } from './inspection.model';

/** Records an inspection and its job in one transaction; the worker fetches, judges and stores the checks. */
@Injectable()
export class InspectionService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly inspections: InspectionRepository,
    private readonly clusters: ClusterRepository,
    private readonly outbox: OutboxRepository,
    private readonly jobs: JobRecordRepository,
    private readonly audit: AuditRepository,
  ) {}

  async run(viewer: ViewerContext, input: RunInspectionInput): Promise<InspectionEntity> {
    let targetVersion: string | null = null;
    if (input.targetVersion !== undefined && input.targetVersion !== null) {
      if (input.kind !== InspectionKindEnum.DEPRECATED_APIS) throw badInput('input.targetVersion', 'applies only to DEPRECATED_APIS inspections');
      targetVersion = kubeRelease(input.targetVersion, 'input.targetVersion');
    }
    const cluster = isUuid(input.clusterId) ? await this.clusters.findById(clusterScope(viewer), input.clusterId) : null;
    if (!cluster || cluster.status === 'DETACHED') throw notFound('cluster', input.clusterId);
    return this.db.transaction(async (tx) => {
      const inspection = await this.inspections.create(tx, viewer.organizationId, { clusterId: cluster.id, kind: input.kind, targetVersion, createdBy: viewer.actor });
      const jobId = jobIds.runInspection(inspection.id);
      await this.outbox.add(tx, [outboxMessage(JobName.RunInspection, jobId, { organizationId: viewer.organizationId, inspectionId: inspection.id })]);
      await this.jobs.queued(tx, [{ id: jobId, organizationId: viewer.organizationId, queue: QueueName.Inspection, jobName: JobName.RunInspection }]);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'inspection.run',
        targetType: 'Inspection',
        targetId: inspection.id,
        details: { clusterId: cluster.id, cluster: cluster.name, kind: input.kind, targetVersion },
      });
      return inspection;
    });
  }

  async get(viewer: ViewerContext, id: string): Promise<InspectionEntity | null> {
    const inspection = await this.inspections.findById(viewer.organizationId, id);
    return inspection && seesCluster(viewer, inspection.clusterId) ? inspection : null;
  }
}
