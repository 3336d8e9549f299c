import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { AuditRepository, ComplianceRepository, ClusterCredentialRepository, ClusterEntity, ClusterGroupRepository, ClusterGroupWithCount, ClusterListQuery, ClusterOrderField, ClusterRepository, FleetViewCluster, OutboxRepository } from '@flotilla/persistence';
import { isUuid } from '@flotilla/validation';
import { CLUSTER_ADMIN_ROLE, CredentialCipher, TunnelControl, tunnelChannels } from '@flotilla/cluster-access';
import { JobName, jobIds, outboxMessage, publishOnBus, RedisConnection } from '@flotilla/queue';
import { ViewerContext } from '../auth/viewer';
import { clusterScope } from '../auth/workspace-restriction';
import { workspaceCompliance } from '../compliance/workspace-compliance';
import { description, displayName, plainText } from '@flotilla/validation';
import { DomainError, ErrorCode, badInput, conflict, idInMessage, notFound } from '../common/domain.errors';
import { validateLabels } from '../common/labels';
import { APP_CONFIG, CREDENTIAL_CIPHER, DATA_SOURCE, REDIS } from '@flotilla/infrastructure';
import { AttachClusterInput, CreateClusterGroupInput, UpdateClusterInput } from './cluster.inputs';
import { decodeCaData, validateApiServerUrl, validateClusterName, validateToken, validateTokenExpiresAt } from './cluster-input.validation';
import { bindableRolesFor, trustRootsFor } from './cluster-trust.rules';

/** Longest fleet-table search term (a name is at most 253). */
const SEARCH_MAX = 256;

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
    private readonly compliance: ComplianceRepository,
    @Inject(REDIS) private readonly redis: RedisConnection,
  ) {}

  /**
   * Registers a cluster, stores its credential encrypted, and queues its first sync — all in one
   * transaction, so a crash leaves either nothing or a cluster whose sync will run.
   */
  async attach(viewer: ViewerContext, input: AttachClusterInput): Promise<ClusterEntity> {
    const name = validateClusterName(input.name);
    const apiServerUrl = validateApiServerUrl(input.apiServerUrl, this.config.kube.insecureSkipTlsVerify);
    const token = validateToken(input.token);
    const now = new Date();
    const expiresAt = validateTokenExpiresAt(input.tokenExpiresAt, token, now);
    const caPem = trustRootsFor(decodeCaData(input.caData), input.useSystemTrustRoots);
    const labels = validateLabels(input.labels, 'input.labels');
    const bindableRoles = bindableRolesFor(input.bindableRoles, input.allowClusterAdminBinding);
    return this.db.transaction(async (tx) => {
      const groupId = await this.resolveGroup(viewer, input.groupId, 'input.groupId', tx);
      const cluster = await this.clusters.attach(tx, viewer.organizationId, { name, apiServerUrl, groupId, labels, bindableRoles });
      if (!cluster) throw conflict('input.name', `a cluster named "${name}" is already attached`);
      const life = expiresAt ? { issuedAt: now, expiresAt } : null;
      await this.credentials.save(tx, viewer.organizationId, cluster.id, this.cipher.encrypt({ token, caPem }, { clusterId: cluster.id, apiServerUrl }), life);
      await this.queueSync(tx, viewer.organizationId, cluster.id, 'attach');
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'cluster.attach',
        targetType: 'Cluster',
        targetId: cluster.id,
        details: {
          name,
          apiServerUrl,
          groupId,
          labels,
          bindableRoles,
          allowsClusterAdminBinding: bindableRoles.includes(CLUSTER_ADMIN_ROLE),
          trust: caPem ? 'caData' : 'systemRoots',
          credential: expiresAt ? { shortLived: true, expiresAt: expiresAt.toISOString() } : { shortLived: false },
        },
      });
      return cluster;
    });
  }

  async get(viewer: ViewerContext, id: string): Promise<ClusterEntity | null> {
    return this.clusters.findById(clusterScope(viewer), id);
  }

  async list(viewer: ViewerContext, q: ClusterListQuery) {
    // A malformed filter.groupId matches nothing, like an unknown one (the repository says so).
    if (q.filter?.labels) validateLabels(q.filter.labels, 'filter.labels');
    const search = q.filter?.search ? plainText(q.filter.search, 'filter.search', { max: SEARCH_MAX }) : q.filter?.search;
    let scope = clusterScope(viewer);
    let filter = q.filter ? { ...q.filter, search } : undefined;
    if (viewer.workspace && filter?.complianceStatuses?.length) {
      // A workspace token filters on the compliance it is shown (its namespaces' findings only), not the cluster's.
      const wanted = new Set<string>(filter.complianceStatuses);
      const ids = viewer.workspace.clusterIds;
      const statuses = await workspaceCompliance(this.compliance, viewer, viewer.organizationId, ids);
      scope = { ...scope, clusterIds: ids.filter((_, i) => wanted.has(statuses[i].status)) };
      filter = { ...filter, complianceStatuses: null };
    }
    return this.clusters.listForFleetView(scope, filter ? { ...q, filter } : q);
  }

  cursorFor(cluster: FleetViewCluster, field: ClusterOrderField): string {
    return this.clusters.cursorFor(cluster, field);
  }

  async update(viewer: ViewerContext, id: string, input: UpdateClusterInput): Promise<ClusterEntity> {
    const labels = input.labels === undefined || input.labels === null ? undefined : validateLabels(input.labels, 'input.labels');
    const apiServerUrl = input.apiServerUrl ? validateApiServerUrl(input.apiServerUrl, this.config.kube.insecureSkipTlsVerify) : undefined;
    const token = input.token ? validateToken(input.token) : undefined;
    const now = new Date();
    if (input.tokenExpiresAt && !token) throw badInput('input.tokenExpiresAt', 'is given only with a new token (it is that token\'s expiry)');
    const expiresAt = token ? validateTokenExpiresAt(input.tokenExpiresAt, token, now) : null;
    if (input.caData && !token) throw badInput('input.token', 'is required with a new caData (the credential is replaced whole)');
    if (input.useSystemTrustRoots && !token) throw badInput('input.token', 'is required with useSystemTrustRoots (the credential is replaced whole)');
    // A new token replaces the credential whole: its CA (or the explicit choice of system roots) comes with it.
    const caPem = token ? trustRootsFor(decodeCaData(input.caData), input.useSystemTrustRoots) : undefined;
    const bindableRoles =
      input.bindableRoles || input.allowClusterAdminBinding ? bindableRolesFor(input.bindableRoles, input.allowClusterAdminBinding) : undefined;
    return this.db.transaction(async (tx) => {
      const current = await this.clusters.findById(clusterScope(viewer), id, tx);
      if (!current || current.status === 'DETACHED') throw notFound('cluster', id);
      if (current.connectionMode === 'AGENT' && (token !== undefined || apiServerUrl !== undefined)) {
        throw badInput(token !== undefined ? 'input.token' : 'input.apiServerUrl', 'does not apply to a cluster connected through its agent: Flotilla stores no credential and dials no URL for it');
      }
      const moved = apiServerUrl !== undefined && apiServerUrl !== current.apiServerUrl;
      // The stored token was given for the old URL: it never follows a URL change on its own.
      if (moved && token === undefined) {
        throw badInput('input.apiServerUrl', 'can only change together with a new token and caData (or useSystemTrustRoots) for the new URL: the stored credential stays bound to the old one');
      }
      const change: {
        labels?: Record<string, string>;
        groupId?: string | null;
        apiServerUrl?: string;
        bindableRoles?: string[];
        credentialReplaced?: boolean;
      } = {};
      if (labels !== undefined) change.labels = labels;
      if (input.groupId !== undefined) change.groupId = await this.resolveGroup(viewer, input.groupId, 'input.groupId', tx);
      if (moved) change.apiServerUrl = apiServerUrl;
      if (bindableRoles !== undefined) change.bindableRoles = bindableRoles;
      if (token !== undefined) change.credentialReplaced = true;
      let updated = await this.clusters.updateLabelsAndGroup(tx, viewer.organizationId, id, { labels: change.labels, groupId: change.groupId });
      if (updated && moved && apiServerUrl) updated = await this.clusters.moveApiServer(tx, viewer.organizationId, id, apiServerUrl);
      if (updated && bindableRoles !== undefined) await this.clusters.setBindableRoles(tx, viewer.organizationId, id, bindableRoles);
      if (updated && token !== undefined) updated = await this.clusters.markCredentialReplaced(tx, viewer.organizationId, id);
      if (!updated) throw notFound('cluster', id);
      if (token !== undefined) {
        const binding = { clusterId: id, apiServerUrl: updated.apiServerUrl };
        const life = expiresAt ? { issuedAt: now, expiresAt } : null;
        await this.credentials.save(tx, viewer.organizationId, id, this.cipher.encrypt({ token, caPem: caPem ?? null }, binding), life);
        await this.queueSync(tx, viewer.organizationId, id, 'rotate');
      }
      const { credentialReplaced, ...changed } = change;
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'cluster.update',
        targetType: 'Cluster',
        targetId: id,
        // What changed, never the credential itself.
        details: {
          ...changed,
          ...(moved ? { previousApiServerUrl: current.apiServerUrl } : {}),
          ...(bindableRoles !== undefined ? { allowsClusterAdminBinding: bindableRoles.includes(CLUSTER_ADMIN_ROLE) } : {}),
          ...(credentialReplaced
            ? { credentialRotated: true, trust: caPem ? 'caData' : 'systemRoots', credential: expiresAt ? { shortLived: true, expiresAt: expiresAt.toISOString() } : { shortLived: false } }
            : {}),
        },
      });
      return updated;
    });
  }

  /** Marks the cluster DETACHED and forgets its credential; its history stays. */
  async detach(viewer: ViewerContext, id: string): Promise<ClusterEntity> {
    const detached = await this.db.transaction(async (tx) => {
      // Another workspace's cluster answers like a missing one.
      if (viewer.workspace && !(await this.clusters.findById(clusterScope(viewer), id, tx))) throw notFound('cluster', id);
      const detached = await this.clusters.markDetached(tx, viewer.organizationId, id);
      if (!detached) throw notFound('cluster', id);
      await this.credentials.remove(tx, viewer.organizationId, id);
      await this.audit.record(tx, viewer.organizationId, { actor: viewer.actor, action: 'cluster.detach', targetType: 'Cluster', targetId: id });
      return detached;
    });
    if (detached.connectionMode === 'AGENT') {
      // Its agent's credential no longer connects (the cluster is detached); close the live tunnel now, on whichever replica.
      const control: TunnelControl = { k: 'revoke' };
      await publishOnBus(this.redis, tunnelChannels.control(this.config.queue.prefix, id), JSON.stringify(control)).catch(() => undefined);
    }
    return detached;
  }

  async listGroups(viewer: ViewerContext): Promise<ClusterGroupWithCount[]> {
    return this.groups.listWithCounts(viewer.organizationId);
  }

  async createGroup(viewer: ViewerContext, input: CreateClusterGroupInput): Promise<ClusterGroupWithCount> {
    const name = displayName(input.name, 'input.name', 100);
    const text = description(input.description, 'input.description', 1000);
    return this.db.transaction(async (tx) => {
      const group = await this.groups.create(tx, viewer.organizationId, name, text);
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
    if (!group) throw new DomainError(ErrorCode.BadUserInput, `${field}: no cluster group with id ${idInMessage(groupId)}`, field);
    return group.id;
  }
}

/** "a, b, c and 4 more": a refusal names what blocks it without printing a thousand names. */
function listSome(names: string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
