import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterClientFactory, KubeApiError, describeFailure } from '@flotilla/cluster-access';
import { AuditRepository, ClusterRepository, PolicyEnforcementTargetRepository, PolicyRepository } from '@flotilla/persistence';
import { ENFORCED_KINDS, MANAGED_LABEL_SELECTOR, objectsCreatedBy } from '@flotilla/policy';
import { JobName, JobPayloads } from '@flotilla/queue';
import { JobContext, JobHandlerRegistry } from '../jobs/job-handler.registry';
import { DATA_SOURCE } from '@flotilla/infrastructure';

const WORKER_ACTOR = 'flotilla-worker';
const ADMISSION_POLICY_KINDS: ReadonlySet<string> = new Set(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
/** Objects named in one audit event; the count is always exact. */
const MAX_LISTED = 100;

/**
 * The cleanup-policy-objects job: on one cluster, delete what a deleted (or now AUDIT) ENFORCE
 * policy created — only objects carrying both Flotilla's label and that policy's id — and say so
 * in the audit log. Idempotent: it re-reads the policy (switched back to ENFORCE: nothing to do)
 * and the target row (already cleaned: nothing to do), and a 404 on delete is success.
 */
@Injectable()
export class PolicyCleanupService implements OnModuleInit {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly registry: JobHandlerRegistry,
    private readonly policies: PolicyRepository,
    private readonly targets: PolicyEnforcementTargetRepository,
    private readonly clusters: ClusterRepository,
    private readonly audit: AuditRepository,
    private readonly clients: ClusterClientFactory,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.CleanupPolicyObjects, (p, ctx) => this.cleanup(p, ctx));
  }

  async cleanup({ organizationId, policyId, clusterId }: JobPayloads[JobName.CleanupPolicyObjects], ctx?: Pick<JobContext, 'lastAttempt'>): Promise<void> {
    // Switched back to ENFORCE since: its objects are wanted again.
    if ((await this.policies.findById(organizationId, policyId))?.mode === 'ENFORCE') return;
    const [policy] = await this.policies.findByIdsIncludingDeleted(organizationId, [policyId]);
    if (!policy) return;
    const pending = await this.targets.clustersOf(this.db.manager, organizationId, policyId);
    if (!pending.includes(clusterId)) return;

    const cluster = await this.clusters.findForWorker(organizationId, clusterId);
    const base = { clusterId, clusterName: cluster?.name ?? null, policyName: policy.name };
    if (!cluster || cluster.status === 'DETACHED') {
      // Flotilla holds no credential for it any more: say what is left behind, and stop trying.
      await this.db.transaction(async (tx) => {
        await this.targets.forget(tx, organizationId, policyId, clusterId);
        await this.audit.record(tx, organizationId, {
          actor: WORKER_ACTOR,
          action: 'policy.cleanup',
          targetType: 'Policy',
          targetId: policyId,
          outcome: 'FAILURE',
          details: { ...base, error: `the cluster is detached: objects labelled ${MANAGED_LABEL_SELECTOR} and annotated with this policy's id may remain there` },
        });
      });
      return;
    }

    let removed: Array<{ kind: string; namespace?: string; name: string }>;
    try {
      removed = await this.removeCreatedObjects(cluster, policyId);
    } catch (err) {
      if (ctx?.lastAttempt ?? true) {
        // Out of retries: the target row stays, so deleting the policy again (or a later cleanup) retries.
        await this.audit.record(this.db, organizationId, {
          actor: WORKER_ACTOR,
          action: 'policy.cleanup',
          targetType: 'Policy',
          targetId: policyId,
          outcome: 'FAILURE',
          details: { ...base, error: describeFailure(err) },
        });
      }
      throw err;
    }
    await this.db.transaction(async (tx) => {
      await this.targets.forget(tx, organizationId, policyId, clusterId);
      await this.audit.record(tx, organizationId, {
        actor: WORKER_ACTOR,
        action: 'policy.cleanup',
        targetType: 'Policy',
        targetId: policyId,
        details: { ...base, deleted: removed.length, objects: removed.slice(0, MAX_LISTED) },
      });
    });
  }

  /** Lists only Flotilla-labelled objects of the kinds enforcement creates, and deletes those this policy's id marks. */
  private async removeCreatedObjects(cluster: { id: string; organizationId: string; apiServerUrl: string }, policyId: string) {
    const client = await this.clients.forCluster(cluster);
    const removed: Array<{ kind: string; namespace?: string; name: string }> = [];
    for (const kind of ENFORCED_KINDS) {
      let listed: Awaited<ReturnType<typeof client.list>>;
      try {
        listed = await client.list(kind, { labelSelector: MANAGED_LABEL_SELECTOR });
      } catch (err) {
        // A cluster older than 1.30 serves no ValidatingAdmissionPolicy: nothing of that kind can be there.
        if (ADMISSION_POLICY_KINDS.has(kind) && err instanceof KubeApiError && err.notFound) continue;
        throw err;
      }
      for (const o of objectsCreatedBy(policyId, listed)) {
        const ref = { kind, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name };
        if (await client.delete(kind, o.metadata.name, o.metadata.namespace)) removed.push(ref);
      }
    }
    return removed;
  }
}
