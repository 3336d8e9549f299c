import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterClient, ClusterClientFactory, KubeObject, describeFailure, isUnavailable } from '@flotilla/cluster-access';
import { ClusterOutcome, PolicyEnforcementTargetRepository, PolicyOutcome, ScanRepository } from '@flotilla/persistence';
import {
  ClusterSnapshot,
  ExceptionRule,
  ExceptionScope,
  PolicyDefinition,
  SnapshotKind,
  evaluatePolicy,
  exemptFromPlan,
  partitionViolations,
  planEnforcement,
  snapshotKindsFor,
} from '@flotilla/policy';
import { JobName, JobPayloads } from '@flotilla/queue';
import { redactText } from '@flotilla/observability';
import { JobContext, JobHandlerRegistry } from '../jobs/job-handler.registry';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ComplianceClock } from './compliance-clock';

/** List calls in flight per cluster while taking its snapshot. */
const LISTS_IN_FLIGHT = 1;

interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

/** What ENFORCE did on one cluster for one policy, stored with its result. */
export interface EnforcementRecord {
  applied: ObjectRef[];
  labelledNamespaces: Array<{ namespace: string; labels: Record<string, string> }>;
  failed: Array<ObjectRef & { error: string }>;
}

/** A failure of the cluster itself (unreachable, slow, refusing Flotilla): the cluster's ERROR, not a job retry. */
class ClusterUnavailable extends Error {}

/**
 * The scan-cluster job: re-read the ledger (exit if this cluster is done for this scan), compute
 * the cluster's effective policies, list only the kinds they read (once, paginated), evaluate each
 * policy; for ENFORCE, server-side apply what the plan says and merge-patch namespace labels, then
 * evaluate again on the snapshot as the API server returned it, so the result says what is still
 * wrong after enforcement. Everything is stored in one transaction with the ledger transition, so
 * a job that runs twice stores its results once.
 *
 * Approved exceptions that have not expired at the evaluation's time (the ComplianceClock) waive
 * the violations they cover: those are stored as `exempted`, count for nothing, and ENFORCE does not
 * act where an exception applies.
 */
@Injectable()
export class ComplianceScanService implements OnModuleInit {
  private readonly logger = new Logger(ComplianceScanService.name);

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly registry: JobHandlerRegistry,
    private readonly scans: ScanRepository,
    private readonly clients: ClusterClientFactory,
    private readonly targets: PolicyEnforcementTargetRepository,
    private readonly clock: ComplianceClock,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.ScanCluster, (p, ctx) => this.scanCluster(p, ctx));
  }

  async scanCluster({ organizationId, scanId, clusterId }: JobPayloads[JobName.ScanCluster], ctx?: Pick<JobContext, 'lastAttempt'>): Promise<void> {
    const job = await this.scans.jobContext(organizationId, scanId, clusterId);
    if (!job || job.ledgerStatus !== 'PENDING') return;
    if (job.scanStatus === 'QUEUED') await this.scans.markRunning(organizationId, scanId);

    const { cluster, policies } = job;
    const at = this.clock.now();
    let outcome: ClusterOutcome;
    if (!cluster || cluster.status === 'DETACHED') {
      outcome = errorOutcome([], 'the cluster was detached before it could be scanned', at);
    } else {
      try {
        outcome = await this.evaluateCluster({ ...cluster, exceptions: job.exceptions, at }, policies);
      } catch (err) {
        if (err instanceof ClusterUnavailable) {
          outcome = errorOutcome(policies, err.message, at);
        } else if (ctx?.lastAttempt ?? true) {
          // Out of retries (or called directly): record the failure so the scan still ends.
          outcome = errorOutcome(policies, `internal error while scanning: ${redactText((err as Error).message ?? String(err))}`, at);
        } else {
          throw err;
        }
      }
    }
    const stored = await this.scans.recordClusterOutcome(this.db, organizationId, scanId, clusterId, outcome);
    if (!stored) this.logger.debug({ scanId, clusterId }, 'cluster already recorded for this scan; nothing stored');
  }

  private async evaluateCluster(cluster: ScannedCluster, policies: PolicyDefinition[]): Promise<ClusterOutcome> {
    if (policies.length === 0) return { status: 'COMPLIANT', violationCount: 0, error: null, checkedAt: cluster.at, policies: [] };
    let client: ClusterClient;
    try {
      client = await this.clients.forCluster(cluster);
    } catch (err) {
      throw new ClusterUnavailable(describeFailure(err));
    }
    try {
      return await this.evaluateWith(client, cluster, policies);
    } finally {
      // The next call to this cluster is a sync or the next scan, not soon: free the idle connection now.
      client.closeIdleConnections();
    }
  }

  private async evaluateWith(client: ClusterClient, cluster: ScannedCluster, policies: PolicyDefinition[]): Promise<ClusterOutcome> {
    const snapshot = await fetchSnapshot(client, snapshotKindsFor(policies));

    const results: PolicyOutcome[] = [];
    for (const policy of policies) {
      try {
        results.push(policy.mode === 'ENFORCE' ? await this.enforce(client, cluster, policy, snapshot) : audit(cluster, policy, snapshot));
      } catch (err) {
        if (err instanceof ClusterUnavailable) throw err;
        results.push({ policyId: policy.id, status: 'ERROR', violations: [], enforcement: null, error: redactText((err as Error).message) });
      }
    }
    const violationCount = results.reduce((n, r) => n + r.violations.length, 0);
    const status = results.some((r) => r.status === 'ERROR') ? 'ERROR' : violationCount > 0 ? 'NON_COMPLIANT' : 'COMPLIANT';
    const errors = results.filter((r) => r.error).map((r) => r.error);
    return { status, violationCount, error: errors.length ? errors.join('; ') : null, checkedAt: cluster.at, policies: results };
  }

  /** Makes the cluster comply where objects can, then reports what is still wrong. Never deletes. */
  private async enforce(client: ClusterClient, cluster: ScannedCluster, policy: PolicyDefinition, snapshot: ClusterSnapshot): Promise<PolicyOutcome> {
    const plan = exemptFromPlan(planEnforcement(policy, snapshot), cluster.exceptions, exceptionScope(cluster, policy));
    const record: EnforcementRecord = { applied: [], labelledNamespaces: [], failed: [] };
    // Before the first object exists: deleting the policy later must know to clean up here.
    if (plan.apply.length > 0) await this.targets.record(cluster.organizationId, policy.id, cluster.id);
    for (const object of plan.apply) {
      const ref = refOf(object);
      const unbindable = unbindableRole(object, cluster.bindableRoles);
      if (unbindable) {
        record.failed.push({ ...ref, error: unbindable });
        continue;
      }
      try {
        const stored = await client.apply(object as KubeObject);
        upsertObject(snapshot, ref.kind as SnapshotKind, { ...stored, kind: ref.kind });
        record.applied.push(ref);
      } catch (err) {
        if (isUnavailable(err)) throw new ClusterUnavailable(describeFailure(err));
        record.failed.push({ ...ref, error: describeFailure(err) });
      }
    }
    for (const { namespace, labels } of plan.namespaceLabels) {
      try {
        const stored = await client.mergePatch('Namespace', namespace, { metadata: { labels } });
        upsertObject(snapshot, 'Namespace', { ...stored, kind: 'Namespace' });
        record.labelledNamespaces.push({ namespace, labels });
      } catch (err) {
        if (isUnavailable(err)) throw new ClusterUnavailable(describeFailure(err));
        record.failed.push({ kind: 'Namespace', name: namespace, error: describeFailure(err) });
      }
    }
    // What is still wrong after enforcement, judged on the objects as the API server returned them.
    const after = partitionViolations(evaluatePolicy(policy, snapshot).violations, cluster.exceptions, exceptionScope(cluster, policy));
    return {
      policyId: policy.id,
      status: after.violations.length ? 'NON_COMPLIANT' : 'COMPLIANT',
      violations: after.violations,
      exempted: after.exempted,
      enforcement: record.applied.length || record.labelledNamespaces.length || record.failed.length ? record : null,
      error: null,
    };
  }
}

interface ScannedCluster {
  id: string;
  organizationId: string;
  apiServerUrl: string;
  groupId: string | null;
  /** Approved exceptions that may apply here; each is judged against `at`. */
  exceptions: ExceptionRule[];
  /** The evaluation's time: results, history and exception expiry. */
  at: Date;
  /** The roles its agent may bind; null for a cluster attached before bind was narrowed. */
  bindableRoles?: string[] | null;
}

/** Why the agent cannot create this binding on this cluster (its bind grant does not name the role), or null. */
function unbindableRole(object: { kind?: string; roleRef?: unknown }, bindableRoles: string[] | null | undefined): string | null {
  if (!bindableRoles || (object.kind !== 'ClusterRoleBinding' && object.kind !== 'RoleBinding')) return null;
  const role = (object.roleRef as { name?: string } | undefined)?.name ?? '';
  if (bindableRoles.includes(role)) return null;
  return `Flotilla's agent on this cluster may not bind ClusterRole ${role} (it was attached with bindable roles ${bindableRoles.join(', ')}): re-attach with flotilla cluster attach NAME --update --bindable-role ${role} …`;
}

function exceptionScope(cluster: ScannedCluster, policy: PolicyDefinition): ExceptionScope {
  return { policyId: policy.id, clusterId: cluster.id, groupId: cluster.groupId, at: cluster.at };
}

function audit(cluster: ScannedCluster, policy: PolicyDefinition, snapshot: ClusterSnapshot): PolicyOutcome {
  const e = partitionViolations(evaluatePolicy(policy, snapshot).violations, cluster.exceptions, exceptionScope(cluster, policy));
  return { policyId: policy.id, status: e.violations.length ? 'NON_COMPLIANT' : 'COMPLIANT', violations: e.violations, exempted: e.exempted, enforcement: null, error: null };
}

/** Lists every kind the policies read, each once, all pages; any failure makes the cluster unavailable for this scan. */
async function fetchSnapshot(client: ClusterClient, kinds: SnapshotKind[]): Promise<ClusterSnapshot> {
  const snapshot: ClusterSnapshot = {};
  const queue = [...kinds];
  try {
    // One list in flight per cluster: one TLS connection per cluster (a handshake costs the worker
    // and the API server more CPU than a list), while the job concurrency keeps the fleet busy.
    await Promise.all(
      Array.from({ length: Math.min(LISTS_IN_FLIGHT, queue.length) }, async () => {
        for (let kind = queue.shift(); kind; kind = queue.shift()) {
          snapshot[kind] = (await client.list(kind)) as ClusterSnapshot[SnapshotKind];
        }
      }),
    );
  } catch (err) {
    throw new ClusterUnavailable(describeFailure(err));
  }
  return snapshot;
}

function refOf(o: { kind?: string; metadata: { name: string; namespace?: string } }): ObjectRef {
  return { kind: o.kind ?? 'Unknown', name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

function upsertObject(snapshot: ClusterSnapshot, kind: SnapshotKind, object: KubeObject): void {
  const list = snapshot[kind];
  if (!list) return;
  const i = list.findIndex((o) => o.metadata.name === object.metadata.name && (o.metadata.namespace ?? '') === (object.metadata.namespace ?? ''));
  if (i >= 0) list[i] = object as (typeof list)[number];
  else list.push(object as (typeof list)[number]);
}

function errorOutcome(policies: Array<{ id: string }>, reason: string, at: Date): ClusterOutcome {
  return {
    status: 'ERROR',
    violationCount: 0,
    error: reason,
    checkedAt: at,
    policies: policies.map((p) => ({ policyId: p.id, status: 'ERROR', violations: [], enforcement: null, error: reason })),
  };
}
