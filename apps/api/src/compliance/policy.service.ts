import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRepository, ClusterGroupRepository, ClusterRepository, ComplianceRepository, OrganizationRepository, OutboxRepository, PolicyEnforcementTargetRepository, PolicyRepository, PolicyRow, PolicyScopeKindName, WorkspaceRepository } from '@flotilla/persistence';
import { isUuid, policyName } from '@flotilla/validation';
import { CLUSTER_ADMIN_ROLE, checkBindableRoles } from '@flotilla/cluster-access';
import { PolicySpecError, validatePolicySpec } from '@flotilla/policy';
import { JobName, jobIds, outboxMessage } from '@flotilla/queue';
import { ViewerContext } from '../auth/viewer';
import { DomainError, ErrorCode, badInput, conflict, idInMessage, notFound } from '../common/domain.errors';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { CreatePolicyInput, PolicyScopeInput, UpdatePolicyInput } from './compliance.inputs';
import { PolicyTypeEnum } from './compliance.enums';


/**
 * Policies: validated per type before anything is stored, scoped to the organization, a group or
 * a cluster, audited. The spec is stored as given (so `policy apply` of the same file is a no-op);
 * evaluation normalises it.
 */
@Injectable()
export class PolicyService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly policies: PolicyRepository,
    private readonly compliance: ComplianceRepository,
    private readonly clusters: ClusterRepository,
    private readonly groups: ClusterGroupRepository,
    private readonly audit: AuditRepository,
    private readonly organizations: OrganizationRepository,
    private readonly targets: PolicyEnforcementTargetRepository,
    private readonly outbox: OutboxRepository,
    private readonly workspaces: WorkspaceRepository,
  ) {}

  list(viewer: ViewerContext): Promise<PolicyRow[]> {
    return this.policies.list(viewer.organizationId);
  }

  /**
   * Everything createPolicy checks of its input except that the name is free (previewPolicy of a
   * policy that exists already is fine): name, spec (CUSTOM: CEL compiled), scope, bindable roles.
   */
  async checkNewPolicy(viewer: ViewerContext, input: CreatePolicyInput): Promise<{ name: string; scope: { scopeKind: PolicyScopeKindName; groupId: string | null; clusterId: string | null } }> {
    const name = policyName(input.name, 'input.name');
    validateSpec(input.type, input.spec, 'input');
    const scope = await this.resolveScope(viewer, input.scope, this.db.manager);
    if (input.type === 'ACCESS') await this.assertBindable(viewer, input.spec, scope.clusterId, 'input', this.db.manager);
    return { name, scope };
  }

  async create(viewer: ViewerContext, input: CreatePolicyInput): Promise<PolicyRow> {
    const name = policyName(input.name, 'input.name');
    validateSpec(input.type, input.spec, 'input');
    return this.db.transaction(async (tx) => {
      const scope = await this.resolveScope(viewer, input.scope, tx);
      if (input.type === 'ACCESS' && scope.scopeKind === 'WORKSPACE') {
        // ACCESS names its namespaces per binding (and may bind cluster-wide): a workspace scope would contradict it.
        throw badInput('input.scope.kind', 'ACCESS policies name their namespaces in spec.bindings; scope them to the organization, a group or a cluster');
      }
      if (input.type === 'ACCESS') await this.assertBindable(viewer, input.spec, scope.clusterId, 'input', tx);
      const policy = await this.policies.create(tx, viewer.organizationId, { name, type: input.type, mode: input.mode, spec: input.spec, ...scope });
      if (!policy) throw conflict('input.name', `a policy named "${name}" already exists`);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'policy.create',
        targetType: 'Policy',
        targetId: policy.id,
        details: { name, type: input.type, mode: input.mode, scope: input.scope },
      });
      return policy;
    });
  }

  async update(viewer: ViewerContext, id: string, input: UpdatePolicyInput): Promise<PolicyRow> {
    const existing = await this.policies.findById(viewer.organizationId, id);
    if (!existing) throw notFound('policy', id);
    const change: { name?: string; mode?: 'AUDIT' | 'ENFORCE'; spec?: unknown } = {};
    if (input.name !== undefined && input.name !== null) change.name = policyName(input.name, 'input.name');
    if (input.mode !== undefined && input.mode !== null) change.mode = input.mode;
    if (input.spec !== undefined && input.spec !== null) {
      validateSpec(existing.type as PolicyTypeEnum, input.spec, 'input');
      change.spec = input.spec;
    }
    return this.db.transaction(async (tx) => {
      if (existing.type === 'ACCESS' && change.spec !== undefined) await this.assertBindable(viewer, change.spec, existing.clusterId, 'input', tx);
      const updated = await this.policies.update(tx, viewer.organizationId, id, change);
      if (updated === 'conflict') throw conflict('input.name', `a policy named "${change.name}" already exists`);
      if (!updated) throw notFound('policy', id);
      // ENFORCE → AUDIT: what it created goes, as when it is deleted.
      const cleanupClusters = existing.mode === 'ENFORCE' && updated.mode === 'AUDIT' ? await this.queueCleanup(tx, viewer.organizationId, id, updated.updatedAt) : undefined;
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'policy.update',
        targetType: 'Policy',
        targetId: id,
        details: {
          changed: Object.keys(change),
          ...(change.name ? { name: change.name } : {}),
          ...(change.mode ? { mode: change.mode } : {}),
          ...(cleanupClusters !== undefined ? { cleanupClusters } : {}),
        },
      });
      return updated;
    });
  }

  /**
   * The organization's allowed list: the ClusterRoles its ACCESS policies may bind (and so what a
   * stolen agent token could grant at most, given the agents were attached with the same list).
   */
  async setAccessBindableRoles(viewer: ViewerContext, roles: string[], allowClusterAdmin: boolean): Promise<{ id: string; name: string; accessBindableRoles: string[] }> {
    const checked = checkBindableRoles(roles, allowClusterAdmin);
    if ('problem' in checked) throw badInput('roles', `${checked.problem}${/opt-in/.test(checked.problem) ? ' (allowClusterAdmin: true)' : ''}`);
    return this.db.transaction(async (tx) => {
      const previous = await this.organizations.accessBindableRoles(viewer.organizationId, tx);
      const org = await this.organizations.setAccessBindableRoles(tx, viewer.organizationId, checked.roles);
      if (!org) throw notFound('organization', viewer.organizationId);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'organization.setAccessBindableRoles',
        targetType: 'Organization',
        targetId: viewer.organizationId,
        details: { roles: checked.roles, previous, allowsClusterAdminBinding: checked.roles.includes(CLUSTER_ADMIN_ROLE) },
      });
      return { id: org.id, name: org.name, accessBindableRoles: org.accessBindableRoles };
    });
  }

  /**
   * ACCESS policies may name only roles the organization allows (and, scoped to one cluster, roles
   * that cluster's agent may bind): refused at create/update, naming the binding at fault.
   */
  private async assertBindable(viewer: ViewerContext, spec: unknown, clusterId: string | null, prefix: string, tx: EntityManager): Promise<void> {
    let allowed = await this.organizations.accessBindableRoles(viewer.organizationId, tx);
    let where = 'in this organization';
    if (clusterId) {
      const cluster = await this.clusters.findById(viewer.organizationId, clusterId, tx);
      if (cluster?.bindableRoles) {
        allowed = allowed.filter((r) => cluster.bindableRoles!.includes(r));
        where = `on cluster ${cluster.name} (the organization's list, narrowed to the roles its agent was attached with)`;
      }
    }
    const bindings = (spec as { bindings: Array<{ role: string }> }).bindings;
    bindings.forEach((b, i) => {
      if (!allowed.includes(b.role)) {
        throw badInput(
          `${prefix}.spec.bindings[${i}].role`,
          `"${b.role}" is not a role ACCESS policies may bind ${where}; allowed: ${allowed.join(', ') || 'none'} (an ADMIN changes the organization's list with setAccessBindableRoles)`,
        );
      }
    });
  }

  /** One cleanup job per cluster the policy may have created objects on, in the caller's transaction; returns how many. */
  private async queueCleanup(tx: EntityManager, organizationId: string, policyId: string, changedAt: Date): Promise<number> {
    const clusterIds = await this.targets.clustersOf(tx, organizationId, policyId);
    await this.outbox.add(
      tx,
      clusterIds.map((clusterId) =>
        outboxMessage(JobName.CleanupPolicyObjects, jobIds.cleanupPolicyObjects(policyId, clusterId, changedAt.getTime()), { organizationId, policyId, clusterId }),
      ),
    );
    return clusterIds.length;
  }

  /** The policy stops applying at once: its current results leave every cluster's roll-up; history keeps them. */
  async delete(viewer: ViewerContext, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deleted = await this.policies.softDelete(tx, viewer.organizationId, id);
      if (!deleted) throw notFound('policy', id);
      await this.compliance.forgetPolicy(tx, viewer.organizationId, id);
      // Every cluster it may have created objects on (also after an earlier switch to AUDIT whose cleanup did not finish).
      const cleanupClusters = await this.queueCleanup(tx, viewer.organizationId, id, deleted.updatedAt);
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'policy.delete',
        targetType: 'Policy',
        targetId: id,
        details: { name: deleted.name, type: deleted.type, mode: deleted.mode, cleanupClusters },
      });
      return true;
    });
  }

  private async resolveScope(
    viewer: ViewerContext,
    scope: PolicyScopeInput,
    tx: EntityManager,
  ): Promise<{ scopeKind: PolicyScopeKindName; groupId: string | null; clusterId: string | null; workspaceId: string | null }> {
    const groupId = scope.groupId ?? null;
    const clusterId = scope.clusterId ?? null;
    const workspaceId = scope.workspaceId ?? null;
    if (workspaceId && scope.kind !== 'WORKSPACE') throw badInput('input.scope.workspaceId', 'is only for a WORKSPACE scope');
    switch (scope.kind) {
      case 'ORGANIZATION':
        if (groupId || clusterId) throw badInput('input.scope', 'an ORGANIZATION scope takes neither groupId nor clusterId');
        return { scopeKind: 'ORGANIZATION', groupId: null, clusterId: null, workspaceId: null };
      case 'WORKSPACE': {
        if (groupId || clusterId) throw badInput('input.scope', 'a WORKSPACE scope takes a workspaceId, neither groupId nor clusterId');
        if (!workspaceId) throw badInput('input.scope.workspaceId', 'is required for a WORKSPACE scope');
        const workspace = await this.workspaces.findById(viewer.organizationId, workspaceId, tx);
        if (!workspace) throw badInput('input.scope.workspaceId', `no workspace with id ${idInMessage(workspaceId)}`);
        return { scopeKind: 'WORKSPACE', groupId: null, clusterId: null, workspaceId: workspace.id };
      }
      case 'GROUP': {
        if (clusterId) throw badInput('input.scope.clusterId', 'a GROUP scope takes a groupId, not a clusterId');
        if (!groupId) throw badInput('input.scope.groupId', 'is required for a GROUP scope');
        const group = isUuid(groupId) ? await this.groups.findById(viewer.organizationId, groupId, tx) : null;
        if (!group) throw badInput('input.scope.groupId', `no cluster group with id ${idInMessage(groupId)}`);
        return { scopeKind: 'GROUP', groupId: group.id, clusterId: null, workspaceId: null };
      }
      case 'CLUSTER': {
        if (groupId) throw badInput('input.scope.groupId', 'a CLUSTER scope takes a clusterId, not a groupId');
        if (!clusterId) throw badInput('input.scope.clusterId', 'is required for a CLUSTER scope');
        const cluster = await this.clusters.findById(viewer.organizationId, clusterId, tx);
        if (!cluster || cluster.status === 'DETACHED') throw badInput('input.scope.clusterId', `no attached cluster with id ${idInMessage(clusterId)}`);
        return { scopeKind: 'CLUSTER', groupId: null, clusterId: cluster.id, workspaceId: null };
      }
      default:
        throw badInput('input.scope.kind', 'must be ORGANIZATION, GROUP, CLUSTER or WORKSPACE');
    }
  }
}


/** A bad spec is one error naming every offending path (`input.spec.bindings[0].role: Required`); the first is the error's field. */
function validateSpec(type: PolicyTypeEnum, spec: unknown, prefix: string): void {
  try {
    validatePolicySpec(type, spec);
  } catch (err) {
    if (!(err instanceof PolicySpecError)) throw err;
    const issues = err.issues.map((i) => ({ path: `${prefix}.${i.path}`, message: i.message }));
    throw new DomainError(ErrorCode.BadUserInput, issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues[0]?.path ?? `${prefix}.spec`);
  }
}
