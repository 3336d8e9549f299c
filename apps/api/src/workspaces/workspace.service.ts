import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, ClusterRepository, WorkspaceRepository, WorkspaceRow } from '@flotilla/persistence';
import { SYSTEM_NAMESPACES } from '@flotilla/policy';
import { description, displayName, dnsLabel, isUuid } from '@flotilla/validation';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { AuthenticationService } from '../auth/authentication.service';
import { ViewerContext } from '../auth/viewer';
import { clusterScope } from '../auth/workspace-restriction';
import { DomainError, ErrorCode, badInput, conflict, idInMessage, notFound } from '../common/domain.errors';
import { CreateWorkspaceInput, WorkspaceNamespaceInput } from './workspace.model';

/**
 * Workspaces: namespaces across clusters, grouped under a name. ADMIN creates and changes them;
 * every change is audited. A namespace joins a workspace without being created on the cluster:
 * ENFORCE of a workspace policy creates it (labelled managed by Flotilla).
 */
@Injectable()
export class WorkspaceService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly workspaces: WorkspaceRepository,
    private readonly clusters: ClusterRepository,
    private readonly audit: AuditRepository,
    private readonly authentication: AuthenticationService,
  ) {}

  /** A workspace-restricted viewer lists its own workspace only. */
  list(viewer: ViewerContext): Promise<WorkspaceRow[]> {
    return this.workspaces.list(viewer.organizationId, viewer.workspace?.workspaceId);
  }

  async create(viewer: ViewerContext, input: CreateWorkspaceInput): Promise<WorkspaceRow> {
    const name = displayName(input.name, 'input.name', 100);
    const text = description(input.description, 'input.description', 1000);
    return this.db.transaction(async (tx) => {
      const row = await this.workspaces.create(tx, viewer.organizationId, name, text);
      if (!row) throw conflict('input.name', `a workspace named "${name}" already exists`);
      await this.audit.record(tx, viewer.organizationId, { actor: viewer.actor, action: 'workspace.create', targetType: 'Workspace', targetId: row.id, details: { name } });
      return row;
    });
  }

  /**
   * Adds cluster + namespace (idempotent). The cluster must be attached and the organization's; the
   * namespace a DNS label and not a system namespace (those stay exempt from every workspace policy,
   * so putting one in a workspace would only mislead).
   */
  async addNamespace(viewer: ViewerContext, input: WorkspaceNamespaceInput): Promise<WorkspaceRow> {
    const namespace = this.namespaceOf(input);
    return this.db.transaction(async (tx) => {
      const workspace = await this.workspaces.findById(viewer.organizationId, input.workspaceId, tx);
      if (!workspace) throw notFound('workspace', input.workspaceId);
      const cluster = await this.clusters.findById(clusterScope(viewer), input.clusterId, tx);
      if (!cluster || cluster.status === 'DETACHED') throw badInput('input.clusterId', `no attached cluster with id ${idInMessage(input.clusterId)}`);
      const added = await this.workspaces.addNamespace(tx, viewer.organizationId, workspace.id, cluster.id, namespace);
      if (added) {
        await this.audit.record(tx, viewer.organizationId, {
          actor: viewer.actor,
          action: 'workspace.addNamespace',
          targetType: 'Workspace',
          targetId: workspace.id,
          details: { clusterId: cluster.id, clusterName: cluster.name, namespace },
        });
      }
      this.authentication.forgetWorkspace(workspace.id);
      return workspace;
    });
  }

  /** Takes the namespace out of the workspace; the namespace itself stays on the cluster. */
  async removeNamespace(viewer: ViewerContext, input: WorkspaceNamespaceInput): Promise<WorkspaceRow> {
    const namespace = dnsLabel(input.namespace, 'input.namespace');
    return this.db.transaction(async (tx) => {
      const workspace = await this.workspaces.findById(viewer.organizationId, input.workspaceId, tx);
      if (!workspace) throw notFound('workspace', input.workspaceId);
      const removed = await this.workspaces.removeNamespace(tx, viewer.organizationId, workspace.id, input.clusterId, namespace);
      if (!removed) throw badInput('input.namespace', `namespace ${namespace} on cluster ${idInMessage(input.clusterId)} is not in workspace ${workspace.name}`);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'workspace.removeNamespace',
        targetType: 'Workspace',
        targetId: workspace.id,
        details: { clusterId: input.clusterId, namespace },
      });
      this.authentication.forgetWorkspace(workspace.id);
      return workspace;
    });
  }

  /** Refused while policies are scoped to it or live tokens are restricted to it (naming them). */
  async delete(viewer: ViewerContext, id: string): Promise<WorkspaceRow> {
    if (!isUuid(id)) throw notFound('workspace', id);
    return this.db.transaction(async (tx) => {
      const workspace = await this.workspaces.findById(viewer.organizationId, id, tx);
      if (!workspace) throw notFound('workspace', id);
      const holders = await this.workspaces.holders(tx, viewer.organizationId, id);
      const held: string[] = [];
      const live = holders.policies.filter((p) => !p.deleted).map((p) => p.name);
      const gone = holders.policies.length - live.length;
      if (live.length) held.push(`policies ${live.slice(0, 5).join(', ')} are scoped to it (delete them first)`);
      if (gone) held.push(`${gone} deleted ${gone === 1 ? 'policy keeps its' : 'policies keep their'} results under its scope`);
      if (holders.tokens.length) held.push(`API tokens ${holders.tokens.slice(0, 5).join(', ')} are restricted to it (revoke them first)`);
      if (held.length) throw new DomainError(ErrorCode.FailedPrecondition, `workspace ${workspace.name} is in use: ${held.join('; ')}`, 'id');
      const deleted = await this.workspaces.delete(tx, viewer.organizationId, id);
      if (!deleted) throw notFound('workspace', id);
      await this.audit.record(tx, viewer.organizationId, { actor: viewer.actor, action: 'workspace.delete', targetType: 'Workspace', targetId: id, details: { name: workspace.name } });
      this.authentication.forgetWorkspace(id);
      return deleted;
    });
  }

  private namespaceOf(input: WorkspaceNamespaceInput): string {
    const namespace = dnsLabel(input.namespace, 'input.namespace');
    if (SYSTEM_NAMESPACES.has(namespace)) {
      throw badInput('input.namespace', `${namespace} is a system namespace: it is exempt from workspace policies and cannot join a workspace`);
    }
    return namespace;
  }
}
