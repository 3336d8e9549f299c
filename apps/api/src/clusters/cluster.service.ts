import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../../../libs/config/src';
import {
  AuditRepository,
  ClusterCredentialRepository,
  ClusterEntity,
  ClusterGroupRepository,
  ClusterGroupWithCount,
  ClusterListQuery,
  ClusterOrderField,
  ClusterRepository,
  OutboxRepository,
  isUuid,
} from '../../../../libs/persistence/src';
import { CredentialCipher } from '../../../../libs/cluster-access/src';
import { JobName, jobIds, outboxMessage } from '../../../../libs/queue/src';
import { ViewerContext } from '../auth/viewer';
import { DomainError, ErrorCode, badInput, conflict, notFound } from '../common/domain.errors';
import { validateLabels } from '../common/labels';
import { APP_CONFIG, CREDENTIAL_CIPHER, DATA_SOURCE } from '../infrastructure/tokens';
import { AttachClusterInput, CreateClusterGroupInput, UpdateClusterInput } from './cluster.inputs';
import { decodeCaData, validateApiServerUrl, validateClusterName, validateToken } from './cluster-input.validation';

@Injectable()
export class ClusterService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    private readonly clusters: ClusterRepository,
    private readonly groups: ClusterGroupRepository,
    private readonly credentials: ClusterCredentialRepository,
    private readonly outbox: OutboxRepository,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * Registers a cluster, stores its credential encrypted, and queues its first sync — all in one
   * transaction, so a crash leaves either nothing or a cluster whose sync will run.
   */
  async attach(viewer: ViewerContext, input: AttachClusterInput): Promise<ClusterEntity> {
    const name = validateClusterName(input.name);
    const apiServerUrl = validateApiServerUrl(input.apiServerUrl, this.config.kube.insecureSkipTlsVerify);
    const token = validateToken(input.token);
    const caPem = decodeCaData(input.caData);
    const labels = validateLabels(input.labels, 'input.labels');
    return this.db.transaction(async (tx) => {
      const groupId = await this.resolveGroup(viewer, input.groupId, 'input.groupId', tx);
      const cluster = await this.clusters.attach(tx, viewer.organizationId, { name, apiServerUrl, groupId, labels });
      if (!cluster) throw conflict('input.name', `a cluster named "${name}" is already attached`);
      await this.credentials.save(tx, viewer.organizationId, cluster.id, this.cipher.encrypt({ token, caPem }));
      await this.queueSync(tx, viewer.organizationId, cluster.id, 'attach');
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'cluster.attach',
        targetType: 'Cluster',
        targetId: cluster.id,
        details: { name, apiServerUrl, groupId, labels },
      });
      return cluster;
    });
  }

  async get(viewer: ViewerContext, id: string): Promise<ClusterEntity | null> {
    return this.clusters.findById(viewer.organizationId, id);
  }

  async list(viewer: ViewerContext, q: ClusterListQuery) {
    if (q.filter?.groupId && !isUuid(q.filter.groupId)) throw badInput('filter.groupId', 'is not a valid id');
    if (q.filter?.labels) validateLabels(q.filter.labels, 'filter.labels');
    return this.clusters.listForFleetView(viewer.organizationId, q);
  }

  cursorFor(cluster: ClusterEntity, field: ClusterOrderField): string {
    return this.clusters.cursorFor(cluster, field);
  }

  async update(viewer: ViewerContext, id: string, input: UpdateClusterInput): Promise<ClusterEntity> {
    const labels = input.labels === undefined || input.labels === null ? undefined : validateLabels(input.labels, 'input.labels');
    const apiServerUrl = input.apiServerUrl ? validateApiServerUrl(input.apiServerUrl, this.config.kube.insecureSkipTlsVerify) : undefined;
    const token = input.token ? validateToken(input.token) : undefined;
    if (input.caData && !token) throw badInput('input.token', 'is required with a new caData (the credential is replaced whole)');
    const caPem = token ? decodeCaData(input.caData) : undefined;
    return this.db.transaction(async (tx) => {
      const change: { labels?: Record<string, string>; groupId?: string | null; apiServerUrl?: string } = {};
      if (labels !== undefined) change.labels = labels;
      if (input.groupId !== undefined) change.groupId = await this.resolveGroup(viewer, input.groupId, 'input.groupId', tx);
      if (apiServerUrl !== undefined) change.apiServerUrl = apiServerUrl;
      const updated = await this.clusters.updateLabelsAndGroup(tx, viewer.organizationId, id, change);
      if (!updated) throw notFound('cluster', id);
      const rotated = token !== undefined || apiServerUrl !== undefined;
      if (token !== undefined) await this.credentials.save(tx, viewer.organizationId, id, this.cipher.encrypt({ token, caPem: caPem ?? null }));
      if (rotated) await this.queueSync(tx, viewer.organizationId, id, 'rotate');
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'cluster.update',
        targetType: 'Cluster',
        targetId: id,
        // What changed, never the credential itself.
        details: { ...change, ...(token !== undefined ? { credentialRotated: true } : {}) },
      });
      return updated;
    });
  }

  /** Marks the cluster DETACHED and forgets its credential; its history stays. */
  async detach(viewer: ViewerContext, id: string): Promise<ClusterEntity> {
    return this.db.transaction(async (tx) => {
      const detached = await this.clusters.markDetached(tx, viewer.organizationId, id);
      if (!detached) throw notFound('cluster', id);
      await this.credentials.remove(tx, viewer.organizationId, id);
      await this.audit.record(tx, viewer.organizationId, { actor: viewer.actor, action: 'cluster.detach', targetType: 'Cluster', targetId: id });
      return detached;
    });
  }

  async listGroups(viewer: ViewerContext): Promise<ClusterGroupWithCount[]> {
    return this.groups.listWithCounts(viewer.organizationId);
  }

  async createGroup(viewer: ViewerContext, input: CreateClusterGroupInput): Promise<ClusterGroupWithCount> {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) throw badInput('input.name', 'must be 1 to 100 characters');
    const description = input.description?.trim() || null;
    if (description && description.length > 1000) throw badInput('input.description', 'must be at most 1000 characters');
    return this.db.transaction(async (tx) => {
      const group = await this.groups.create(tx, viewer.organizationId, name, description);
      if (!group) throw conflict('input.name', `a cluster group named "${name}" already exists`);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'clusterGroup.create',
        targetType: 'ClusterGroup',
        targetId: group.id,
        details: { name },
      });
      return { ...group, clusterCount: 0 };
    });
  }

  /**
   * Deletes an empty group. Refused, naming what holds it, while live clusters are in it or
   * policies are scoped to it: deleting it would move clusters out of scope silently, and the
   * database would cascade to the policies' results.
   */
  async deleteGroup(viewer: ViewerContext, id: string): Promise<ClusterGroupWithCount> {
    if (!isUuid(id)) throw notFound('cluster group', id);
    return this.db.transaction(async (tx) => {
      const outcome = await this.groups.deleteUnused(tx, viewer.organizationId, id);
      if (!outcome) throw notFound('cluster group', id);
      if (!('deleted' in outcome)) {
        const held: string[] = [];
        if (outcome.liveClusters.length) held.push(`clusters ${listSome(outcome.liveClusters)} are in it (move them with updateCluster or detach them)`);
        const live = outcome.policies.filter((p) => !p.deleted).map((p) => p.name);
        const gone = outcome.policies.filter((p) => p.deleted).length;
        if (live.length) held.push(`policies ${listSome(live)} are scoped to it (delete them first)`);
        if (gone) held.push(`${gone} deleted ${gone === 1 ? 'policy keeps its' : 'policies keep their'} results under its scope`);
        throw new DomainError(ErrorCode.FailedPrecondition, `cluster group ${id} is not empty: ${held.join('; ')}`, 'id');
      }
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'clusterGroup.delete',
        targetType: 'ClusterGroup',
        targetId: id,
        details: { name: outcome.deleted.name },
      });
      return { ...outcome.deleted, clusterCount: 0 };
    });
  }

  private async queueSync(tx: EntityManager, organizationId: string, clusterId: string, tick: string) {
    const jobId = jobIds.syncCluster(clusterId, `${tick}-${Date.now()}`);
    await this.outbox.add(tx, [outboxMessage(JobName.SyncCluster, jobId, { organizationId, clusterId })]);
  }

  private async resolveGroup(
    viewer: ViewerContext,
    groupId: string | null | undefined,
    field: string,
    tx: EntityManager,
  ): Promise<string | null> {
    if (groupId === null || groupId === undefined) return null;
    const group = isUuid(groupId) ? await this.groups.findById(viewer.organizationId, groupId, tx) : null;
    if (!group) throw new DomainError(ErrorCode.BadUserInput, `${field}: no cluster group with id ${groupId}`, field);
    return group.id;
  }
}

/** "a, b, c and 4 more": a refusal names what blocks it without printing a thousand names. */
function listSome(names: string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
