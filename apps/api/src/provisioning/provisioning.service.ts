import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { AuditRepository, ClusterEntity, ClusterGroupRepository, ClusterRepository, JobRecordRepository, ManagementCatalogRepository, ManagementOffersRow, OutboxRepository, ProvisioningRepository, ProvisioningRow } from '@flotilla/persistence';
import { DEFAULT_BINDABLE_ROLES } from '@flotilla/cluster-access';
import { JobName, QueueName, jobIds, outboxMessage } from '@flotilla/queue';
import { ManifestObject, ResolvedProvisionSpec, manifestsYaml, renderClusterManifests, resolveProvisionSpec } from '@flotilla/provisioning';
import { isUuid } from '@flotilla/validation';
import { APP_CONFIG, DATA_SOURCE } from '@flotilla/infrastructure';
import { ViewerContext } from '../auth/viewer';
import { DomainError, ErrorCode, badInput, conflict, idInMessage, notFound } from '../common/domain.errors';
import { validateLabels } from '../common/labels';
import { ProvisionClusterInput } from './provisioning.model';

/**
 * Provisioning from the API's side: the spec is validated against what the management cluster
 * offered at its last sync (the API never calls a cluster), rendered by libs/provisioning, and
 * recorded with its job in one transaction; the worker applies and follows it.
 */
@Injectable()
export class ProvisioningService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly provisionings: ProvisioningRepository,
    private readonly catalogs: ManagementCatalogRepository,
    private readonly clusters: ClusterRepository,
    private readonly groups: ClusterGroupRepository,
    private readonly outbox: OutboxRepository,
    private readonly jobs: JobRecordRepository,
    private readonly audit: AuditRepository,
  ) {}

  managementClusters(viewer: ViewerContext): Promise<ManagementOffersRow[]> {
    return this.catalogs.offers(viewer.organizationId);
  }

  /** The checked spec and its objects; BAD_USER_INPUT naming the first field at fault (every problem in the message). */
  async render(viewer: ViewerContext, input: ProvisionClusterInput): Promise<{ management: ManagementOffersRow; spec: ResolvedProvisionSpec; objects: ManifestObject[] }> {
    const management = isUuid(input.managementClusterId) ? (await this.catalogs.offers(viewer.organizationId, input.managementClusterId))[0] : undefined;
    if (!management) {
      throw badInput('input.managementClusterId', `no attached management cluster with id ${idInMessage(input.managementClusterId)} (a cluster becomes one when its sync finds Cluster API on it; see managementClusters)`);
    }
    const labels = validateLabels(input.labels, 'input.labels');
    const r = resolveProvisionSpec(
      { name: input.name, namespace: input.namespace, version: input.version, controlPlaneReplicas: input.controlPlaneReplicas, vmClass: input.vmClass, storageClass: input.storageClass, workers: input.workers ?? [], labels },
      { versions: management.offeredVersions, vmClasses: management.vmClasses, storageClasses: management.storageClasses },
    );
    if ('problems' in r) {
      const [first, ...rest] = r.problems;
      throw new DomainError(ErrorCode.BadUserInput, [first, ...rest].map((p) => `${p.field}: ${p.message}`).join('; '), first.field);
    }
    return { management, spec: r.spec, objects: renderClusterManifests(r.spec) };
  }

  async preview(viewer: ViewerContext, input: ProvisionClusterInput): Promise<{ objectCount: number; yaml: string }> {
    const { objects } = await this.render(viewer, input);
    return { objectCount: objects.length, yaml: manifestsYaml(objects) };
  }

  async provision(viewer: ViewerContext, input: ProvisionClusterInput): Promise<ClusterEntity> {
    const { management, spec } = await this.render(viewer, input);
    const deadlineSeconds = Math.round(this.config.provisioning.timeoutMinutes * 60);
    return this.db.transaction(async (tx) => {
      let groupId: string | null = null;
      if (input.groupId !== undefined && input.groupId !== null) {
        const group = isUuid(input.groupId) ? await this.groups.findById(viewer.organizationId, input.groupId, tx) : null;
        if (!group) throw badInput('input.groupId', `no cluster group with id ${idInMessage(input.groupId)}`);
        groupId = group.id;
      }
      const created = await this.provisionings.insertCluster(tx, viewer.organizationId, {
        name: spec.name,
        // Never dialled: the cluster is not synced before its real URL and credential are stored.
        placeholderUrl: `https://${spec.name}.${spec.namespace}.provisioning.invalid`,
        groupId,
        labels: spec.labels,
        bindableRoles: [...DEFAULT_BINDABLE_ROLES].sort(),
        managementClusterId: management.id,
        namespace: spec.namespace,
      });
      if (!created) throw conflict('input.name', `a cluster named "${spec.name}" is already in this organization`);
      const row = await this.provisionings.create(tx, viewer.organizationId, { clusterId: created.id, managementClusterId: management.id, namespace: spec.namespace, name: spec.name, spec, deadlineSeconds });
      if (!row) throw conflict('input.name', `Flotilla is already provisioning a Cluster ${spec.namespace}/${spec.name} on ${management.name}`);
      await this.queue(tx, viewer.organizationId, created.id, 'provision', 0);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'cluster.provision',
        targetType: 'Cluster',
        targetId: created.id,
        details: { managementClusterId: management.id, managementCluster: management.name, spec },
      });
      const cluster = await this.clusters.findById(viewer.organizationId, created.id, tx);
      return cluster!;
    });
  }

  async deprovision(viewer: ViewerContext, id: string): Promise<ClusterEntity> {
    const deadlineSeconds = Math.round(this.config.provisioning.timeoutMinutes * 60);
    return this.db.transaction(async (tx) => {
      const cluster = isUuid(id) ? await this.clusters.findById(viewer.organizationId, id, tx) : null;
      if (!cluster || cluster.status === 'DETACHED') throw notFound('cluster', id);
      const current = await this.provisionings.find(viewer.organizationId, cluster.id, tx);
      if (!current) {
        throw new DomainError(ErrorCode.FailedPrecondition, `cluster ${cluster.name} was not provisioned by Flotilla: detach it with detachCluster (Flotilla deletes only the clusters it created)`, 'id');
      }
      const row = await this.provisionings.startDeletion(tx, viewer.organizationId, cluster.id, deadlineSeconds);
      if (!row) throw new DomainError(ErrorCode.FailedPrecondition, `cluster ${cluster.name} is already being deprovisioned`, 'id');
      await this.provisionings.pauseSync(tx, viewer.organizationId, cluster.id);
      await this.queue(tx, viewer.organizationId, cluster.id, 'deprovision', row.followSeq);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'cluster.deprovision',
        targetType: 'Cluster',
        targetId: cluster.id,
        details: { name: cluster.name, managementClusterId: row.managementClusterId, cluster: `${row.namespace}/${row.name}`, previousPhase: current.phase },
      });
      return (await this.clusters.findById(viewer.organizationId, cluster.id, tx))!;
    });
  }

  provisioningsFor(organizationId: string, clusterIds: readonly string[]): Promise<ProvisioningRow[]> {
    return this.provisionings.findMany(organizationId, clusterIds);
  }

  private async queue(tx: Parameters<OutboxRepository['add']>[0], organizationId: string, clusterId: string, action: 'provision' | 'deprovision', seq: number): Promise<void> {
    const jobId = jobIds.runProvisioning(clusterId, action, seq);
    await this.outbox.add(tx, [outboxMessage(JobName.RunProvisioning, jobId, { organizationId, clusterId })]);
    await this.jobs.queued(tx, [{ id: jobId, organizationId, queue: QueueName.Upgrade, jobName: JobName.RunProvisioning }]);
  }
}
