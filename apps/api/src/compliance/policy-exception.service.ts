import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AuditRepository,
  ClusterGroupRepository,
  ClusterRepository,
  PolicyExceptionRepository,
  PolicyExceptionRow,
  PolicyExceptionStatusName,
  PolicyRepository,
} from '@flotilla/persistence';
import { description, dnsLabel, dnsSubdomain, isUuid, plainText } from '@flotilla/validation';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ViewerContext } from '../auth/viewer';
import { DomainError, ErrorCode, badInput, idInMessage, notFound } from '../common/domain.errors';
import { PolicyExceptionInput } from './governance.models';

/** The longest an exception may run. */
export const EXCEPTION_MAX_DAYS = 365;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;

/**
 * Policy exceptions: requested by an OPERATOR or ADMIN, approved by an ADMIN holding another token
 * than the requester's, revoked by an ADMIN (or by the requester while it is only requested).
 * Each change is audited in its own transaction with the change.
 */
@Injectable()
export class PolicyExceptionService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly exceptions: PolicyExceptionRepository,
    private readonly policies: PolicyRepository,
    private readonly clusters: ClusterRepository,
    private readonly groups: ClusterGroupRepository,
    private readonly audit: AuditRepository,
  ) {}

  list(viewer: ViewerContext, statuses: PolicyExceptionStatusName[] | null): Promise<PolicyExceptionRow[]> {
    return this.exceptions.list(viewer.organizationId, statuses);
  }

  async request(viewer: ViewerContext, input: PolicyExceptionInput, now = new Date()): Promise<PolicyExceptionRow> {
    const t = input.target ?? {};
    const reason = plainText(input.reason, 'input.reason', { min: 1, max: 2000 });
    const ticket = description(input.ticket, 'input.ticket', 500);
    const expiresAt = input.expiresAt instanceof Date ? input.expiresAt : new Date(input.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) throw badInput('input.expiresAt', 'must be a date and time');
    if (expiresAt.getTime() <= now.getTime()) throw badInput('input.expiresAt', 'must be in the future');
    if (expiresAt.getTime() > now.getTime() + EXCEPTION_MAX_DAYS * 86_400_000) throw badInput('input.expiresAt', `must be at most ${EXCEPTION_MAX_DAYS} days from now`);
    const namespace = t.namespace === null || t.namespace === undefined ? null : dnsLabel(t.namespace, 'input.target.namespace');
    const kind = t.kind === null || t.kind === undefined ? null : t.kind;
    if (kind !== null && !KIND.test(kind)) throw badInput('input.target.kind', 'must be a Kubernetes kind such as Deployment or Namespace');
    const name = t.name === null || t.name === undefined ? null : dnsSubdomain(t.name, 'input.target.name');
    if ((kind === null) !== (name === null)) throw badInput(kind === null ? 'input.target.kind' : 'input.target.name', 'kind and name name one object together: give both or neither');
    if (t.clusterId && t.groupId) throw badInput('input.target', 'give a clusterId or a groupId, not both');
    if (!t.clusterId && !t.groupId && namespace === null && kind === null) {
      throw badInput('input.target', 'name at least one of clusterId, groupId, namespace or kind and name');
    }
    const policy = isUuid(input.policyId) ? await this.policies.findById(viewer.organizationId, input.policyId) : null;
    if (!policy) throw badInput('input.policyId', `no policy with id ${idInMessage(input.policyId)}`);
    let clusterId: string | null = null;
    if (t.clusterId) {
      const cluster = await this.clusters.findById(viewer.organizationId, t.clusterId);
      if (!cluster || cluster.status === 'DETACHED') throw badInput('input.target.clusterId', `no attached cluster with id ${idInMessage(t.clusterId)}`);
      clusterId = cluster.id;
    }
    let groupId: string | null = null;
    if (t.groupId) {
      const group = isUuid(t.groupId) ? await this.groups.findById(viewer.organizationId, t.groupId) : null;
      if (!group) throw badInput('input.target.groupId', `no cluster group with id ${idInMessage(t.groupId)}`);
      groupId = group.id;
    }
    return this.db.transaction(async (tx) => {
      const created = await this.exceptions.create(tx, viewer.organizationId, {
        policyId: policy.id,
        clusterId,
        groupId,
        namespace,
        kind,
        name,
        reason,
        ticket,
        expiresAt,
        requestedBy: viewer.actor,
        requestedByToken: viewer.tokenId,
      });
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'policyException.request',
        targetType: 'PolicyException',
        targetId: created.id,
        details: { policyId: policy.id, policyName: policy.name, target: { clusterId, groupId, namespace, kind, name }, ticket, expiresAt: expiresAt.toISOString() },
      });
      return created;
    });
  }

  async approve(viewer: ViewerContext, id: string): Promise<PolicyExceptionRow> {
    return this.db.transaction(async (tx) => {
      const existing = await this.exceptions.findById(viewer.organizationId, id, tx, true);
      if (!existing) throw notFound('policy exception', id);
      if (existing.requestedByToken === viewer.tokenId) {
        throw new DomainError(ErrorCode.Forbidden, 'you requested this exception: another ADMIN must approve it (no self-approval)', 'id');
      }
      if (existing.status !== 'REQUESTED') {
        throw new DomainError(ErrorCode.FailedPrecondition, `the exception is ${existing.status}: only a REQUESTED, unexpired exception can be approved`, 'id');
      }
      const approved = await this.exceptions.approve(tx, viewer.organizationId, id, viewer.actor, viewer.tokenId);
      if (!approved) throw new DomainError(ErrorCode.FailedPrecondition, 'the exception can no longer be approved', 'id');
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'policyException.approve',
        targetType: 'PolicyException',
        targetId: id,
        details: { policyId: approved.policyId, requestedBy: approved.requestedBy, expiresAt: new Date(approved.expiresAt).toISOString() },
      });
      return approved;
    });
  }

  async revoke(viewer: ViewerContext, id: string): Promise<PolicyExceptionRow> {
    return this.db.transaction(async (tx) => {
      const existing = await this.exceptions.findById(viewer.organizationId, id, tx, true);
      if (!existing) throw notFound('policy exception', id);
      const ownRequest = existing.requestedByToken === viewer.tokenId && existing.state === 'REQUESTED';
      if (viewer.role !== 'ADMIN' && !ownRequest) {
        throw new DomainError(ErrorCode.Forbidden, 'only an ADMIN revokes an exception (a requester may withdraw their own request)', 'id');
      }
      const revoked = await this.exceptions.revoke(tx, viewer.organizationId, id, viewer.actor);
      if (!revoked) throw new DomainError(ErrorCode.FailedPrecondition, `the exception is ${existing.status}: nothing to revoke`, 'id');
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'policyException.revoke',
        targetType: 'PolicyException',
        targetId: id,
        details: { policyId: revoked.policyId, previousStatus: existing.status },
      });
      return revoked;
    });
  }
}
