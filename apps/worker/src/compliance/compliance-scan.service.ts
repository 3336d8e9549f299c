import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ClusterClient, ClusterClientFactory, KubeObject, ListedObjects, describeFailure, isUnavailable } from '@flotilla/cluster-access';
import {
  CarriedOverResult,
  ClusterOutcome,
  ClusterSnapshotRepository,
  JobRun,
  PolicyEnforcementTargetRepository,
  PolicyOutcome,
  RecordedOutcome,
  ScanRepository,
  StoredCredential,
  StoredSnapshotKind,
  violationCountOf,
} from '@flotilla/persistence';
import { FleetEvents, WebhookEventType } from '@flotilla/notifications';
import {
  ClusterFacts,
  KubeObject as PolicyKubeObject,
  ExceptionRule,
  ExceptionScope,
  PolicyDefinition,
  SNAPSHOT_KINDS,
  SnapshotKind,
  WHOLE_CLUSTER,
  evaluatePolicy,
  evaluationInputDigest,
  exemptFromPlan,
  partitionViolations,
  planEnforcement,
  snapshotKindsFor,
} from '@flotilla/policy';
import { JobName, JobPayloads } from '@flotilla/queue';
import { redactText } from '@flotilla/observability';
import { JobContext, JobHandlerRegistry, RUN_RECORDED } from '../jobs/job-handler.registry';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ComplianceClock } from './compliance-clock';
import { evaluatorFingerprint } from './evaluator-fingerprint';
import { ScanFinisher } from './scan-finisher';
import { ScanSnapshot, kindsToList } from './scan-snapshot';

/**
 * List calls in flight per far cluster while taking its snapshot. The snapshot holds every kind a
 * policy can read (the preview cache), about sixteen lists: one at a time, a cluster 400 ms away
 * took over 5 s to scan. Three share the client's keep-alive pool (at most 4 sockets per cluster).
 * A near cluster is listed one list at a time: each list in flight opens a TLS connection of its
 * own, which cost a nearby cluster more CPU (worker and API server) than the overlap saved.
 */
const LISTS_IN_FLIGHT = 3;
/** A first list (new connection included) slower than this marks the cluster as far. */
const FAR_CLUSTER_FIRST_LIST_MS = 100;

/**
 * A verdict carried over unchanged (same lists, same policy, same evaluator) is evaluated afresh at
 * least this often anyway, so nothing rests on a digest for long.
 */
const REEVALUATE_AFTER_MS = 24 * 3600_000;

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
  /** Why the policy is (partly) not enforced here, e.g. "audit only" on a cluster older than 1.30. */
  notes?: string[];
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
    private readonly snapshots: ClusterSnapshotRepository,
    private readonly events: FleetEvents,
    private readonly clock: ComplianceClock,
    private readonly finisher: ScanFinisher,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.ScanCluster, (p, ctx) => this.scanCluster(p, ctx), { recordsItsRun: true });
  }

  /** Returns RUN_RECORDED when the job's run (ctx) was recorded with the outcome. */
  async scanCluster(
    { organizationId, scanId, clusterId }: JobPayloads[JobName.ScanCluster],
    ctx?: Partial<JobContext>,
  ): Promise<void | typeof RUN_RECORDED> {
    const job = await this.scans.jobContext(organizationId, scanId, clusterId);
    if (!job || job.ledgerStatus !== 'PENDING') return;
    if (job.scanStatus === 'QUEUED') await this.scans.markRunning(organizationId, scanId);

    const { cluster } = job;
    // Where each policy reaches on this cluster: the whole cluster, or its workspace's namespaces here.
    const policies: PolicyDefinition[] = job.policies.map(({ workspaceId, workspaceNamespaces, ...p }) => ({
      ...p,
      reach: workspaceId && workspaceNamespaces ? { kind: 'WORKSPACE', workspaceId, namespaces: workspaceNamespaces } : WHOLE_CLUSTER,
    }));
    const at = this.clock.now();
    const run: JobRun | null =
      ctx?.jobId && ctx.queue && ctx.attempt && ctx.startedAt
        ? { jobId: ctx.jobId, organizationId, queue: ctx.queue, jobName: JobName.ScanCluster, attempt: ctx.attempt, startedAt: ctx.startedAt }
        : null;
    let outcome: ClusterOutcome;
    let snapshot: SnapshotToSave | null = null;
    if (!cluster || cluster.status === 'DETACHED') {
      outcome = errorOutcome([], 'the cluster was detached before it could be scanned', at);
    } else {
      try {
        const currentResults = new Map(job.policies.filter((p) => p.current).map((p) => [p.id, p.current!]));
        ({ outcome, snapshot } = await this.evaluateCluster({ ...cluster, exceptions: job.exceptions, at, currentResults, snapshotKinds: job.snapshotKinds }, policies));
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
    // The snapshot cache, the outcome and the fleet events it causes commit together (delivery
    // happens later, in jobs of its own).
    const recorded = await this.db.transaction(async (tx) => {
      if (snapshot && cluster) await this.snapshots.save(tx, cluster.organizationId, cluster.id, snapshot);
      const r = await this.scans.recordClusterOutcome(tx, organizationId, scanId, clusterId, outcome, run);
      if (r.stored) await this.publishEvents(tx, organizationId, scanId, clusterId, outcome, r);
      return r;
    });
    if (!recorded.stored) this.logger.debug({ scanId, clusterId }, 'cluster already recorded for this scan; nothing stored');
    // After the commit, so that the last outcome sees all the others (also when this run stored
    // nothing: an earlier run may have stopped right after its commit).
    await this.finisher.finishIfDone(organizationId, scanId);
    return run ? RUN_RECORDED : undefined;
  }

  /** COMPLIANCE_REGRESSED when this cluster was COMPLIANT before and is NON_COMPLIANT now. */
  private async publishEvents(tx: EntityManager, organizationId: string, scanId: string, clusterId: string, outcome: ClusterOutcome, r: RecordedOutcome): Promise<void> {
    if (r.previousStatus === 'COMPLIANT' && outcome.status === 'NON_COMPLIANT') {
      await this.events.publish(tx, {
        organizationId,
        type: WebhookEventType.COMPLIANCE_REGRESSED,
        subject: `cluster/${clusterId}`,
        idempotencyKey: `${WebhookEventType.COMPLIANCE_REGRESSED}:scan/${scanId}:cluster/${clusterId}`,
        payload: { scanId, cluster: { id: clusterId, name: r.clusterName ?? '' }, previousStatus: 'COMPLIANT', status: 'NON_COMPLIANT', violationCount: outcome.violationCount },
      });
    }
  }

  private async evaluateCluster(cluster: ScannedCluster, policies: PolicyDefinition[]): Promise<{ outcome: ClusterOutcome; snapshot: SnapshotToSave | null }> {
    if (policies.length === 0) return { outcome: { status: 'COMPLIANT', violationCount: 0, error: null, checkedAt: cluster.at, policies: [] }, snapshot: null };
    let client: ClusterClient;
    try {
      client = await this.clients.forCluster(cluster, cluster.credential);
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

  private async evaluateWith(client: ClusterClient, cluster: ScannedCluster, policies: PolicyDefinition[]): Promise<{ outcome: ClusterOutcome; snapshot: SnapshotToSave }> {
    // Every kind a policy can read, not only those of today's policies: the cached copy is what
    // previewPolicy evaluates a would-be policy on. A list is parsed only if a policy evaluates it
    // or its cached copy is out of date.
    const takenAt = new Date();
    const snapshot = new ScanSnapshot(await fetchLists(client, kindsToList(policies)));
    const facts = policies.some((p) => p.type === 'CUSTOM' && p.mode === 'ENFORCE') ? await clusterFacts(client) : {};

    const results: PolicyOutcome[] = [];
    for (const policy of policies) {
      try {
        results.push(policy.mode === 'ENFORCE' ? await this.enforce(client, cluster, policy, snapshot, facts) : audit(cluster, policy, snapshot));
      } catch (err) {
        if (err instanceof ClusterUnavailable) throw err;
        results.push({ policyId: policy.id, status: 'ERROR', violations: [], enforcement: null, error: redactText((err as Error).message) });
      }
    }
    const violationCount = results.reduce((n, r) => n + violationCountOf(r), 0);
    const status = results.some((r) => r.status === 'ERROR') ? 'ERROR' : violationCount > 0 ? 'NON_COMPLIANT' : 'COMPLIANT';
    const errors = results.filter((r) => r.error).map((r) => r.error);
    return {
      outcome: { status, violationCount, error: errors.length ? errors.join('; ') : null, checkedAt: cluster.at, policies: results },
      // The cache keeps the cluster as the scan left it (after enforcement); unchanged kinds are not rewritten.
      snapshot: {
        takenAt,
        kubernetesVersion: facts.kubernetesVersion ? `v${facts.kubernetesVersion.major}.${facts.kubernetesVersion.minor}` : null,
        kinds: snapshot.toSave(cluster.snapshotKinds),
      },
    };
  }

  /** Makes the cluster comply where objects can, then reports what is still wrong. Never deletes. */
  private async enforce(client: ClusterClient, cluster: ScannedCluster, policy: PolicyDefinition, snapshot: ScanSnapshot, facts: ClusterFacts): Promise<PolicyOutcome> {
    const reads = snapshotKindsFor([policy]);
    const plan = exemptFromPlan(planEnforcement(policy, snapshot.view(reads), facts), cluster.exceptions, exceptionScope(cluster, policy));
    const record: EnforcementRecord = { applied: [], labelledNamespaces: [], failed: [], ...(plan.notes?.length ? { notes: plan.notes } : {}) };
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
        if (SNAPSHOT_KIND_SET.has(ref.kind)) snapshot.upsert(ref.kind as SnapshotKind, { ...stored, kind: ref.kind } as PolicyKubeObject);
        record.applied.push(ref);
      } catch (err) {
        if (isUnavailable(err)) throw new ClusterUnavailable(describeFailure(err));
        record.failed.push({ ...ref, error: describeFailure(err) });
      }
    }
    for (const { namespace, labels } of plan.namespaceLabels) {
      try {
        const stored = await client.mergePatch('Namespace', namespace, { metadata: { labels } });
        snapshot.upsert('Namespace', { ...stored, kind: 'Namespace' } as PolicyKubeObject);
        record.labelledNamespaces.push({ namespace, labels });
      } catch (err) {
        if (isUnavailable(err)) throw new ClusterUnavailable(describeFailure(err));
        record.failed.push({ kind: 'Namespace', name: namespace, error: describeFailure(err) });
      }
    }
    // What is still wrong after enforcement, judged on the objects as the API server returned them.
    const after = partitionViolations(evaluatePolicy(policy, snapshot.view(reads)).violations, cluster.exceptions, exceptionScope(cluster, policy));
    return {
      policyId: policy.id,
      status: after.violations.length ? 'NON_COMPLIANT' : 'COMPLIANT',
      violations: after.violations,
      exempted: after.exempted,
      enforcement: record.applied.length || record.labelledNamespaces.length || record.failed.length || record.notes ? record : null,
      error: null,
    };
  }
}

type SnapshotToSave = Parameters<ClusterSnapshotRepository['save']>[3];

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
  connectionMode: 'DIRECT' | 'AGENT';
  /** Its stored credential as the job read it (none for an agent cluster). */
  credential: StoredCredential | null;
  /** Its current result per policy id, where it recorded what it was evaluated on. */
  currentResults: ReadonlyMap<string, CarriedOverResult>;
  /** Its cached snapshot's kinds and the digests of the lists they came from. */
  snapshotKinds: Readonly<Record<string, StoredSnapshotKind>>;
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

/**
 * An AUDIT verdict: the cluster's current one carried over when it was evaluated on exactly these
 * inputs (evaluator, policy, the lists it reads) and not too long ago, evaluated otherwise. A policy
 * with an exception that may apply here is always evaluated (expiry depends on the time).
 */
function audit(cluster: ScannedCluster, policy: PolicyDefinition, snapshot: ScanSnapshot): PolicyOutcome {
  const reads = snapshotKindsFor([policy]);
  const mayBeExempted = cluster.exceptions.some((e) => e.policyId === policy.id);
  const inputDigest = mayBeExempted ? null : evaluationInputDigest(evaluatorFingerprint(), policy, reads, (kind) => snapshot.digest(kind));
  const current = cluster.currentResults.get(policy.id);
  if (inputDigest && current && current.inputDigest === inputDigest && current.status !== 'ERROR' && cluster.at.getTime() - current.evaluatedAt.getTime() < REEVALUATE_AFTER_MS) {
    return { policyId: policy.id, status: current.status, violations: [], exempted: [], enforcement: null, error: null, inputDigest, carriedOver: current };
  }
  const e = partitionViolations(evaluatePolicy(policy, snapshot.view(reads)).violations, cluster.exceptions, exceptionScope(cluster, policy));
  return { policyId: policy.id, status: e.violations.length ? 'NON_COMPLIANT' : 'COMPLIANT', violations: e.violations, exempted: e.exempted, enforcement: null, error: null, inputDigest };
}

const SNAPSHOT_KIND_SET: ReadonlySet<string> = new Set(SNAPSHOT_KINDS);

/** The cluster's Kubernetes version, for planners that depend on it (CUSTOM ENFORCE needs 1.30). */
async function clusterFacts(client: ClusterClient): Promise<ClusterFacts> {
  try {
    const v = await client.readVersion();
    const major = Number.parseInt(String(v.major ?? ''), 10);
    const minor = Number.parseInt(String(v.minor ?? ''), 10);
    return { kubernetesVersion: Number.isFinite(major) && Number.isFinite(minor) ? { major, minor } : null };
  } catch (err) {
    if (isUnavailable(err)) throw new ClusterUnavailable(describeFailure(err));
    return { kubernetesVersion: null };
  }
}

/** Lists every kind, each once, all pages (unparsed); any failure makes the cluster unavailable for this scan. */
async function fetchLists(client: ClusterClient, kinds: SnapshotKind[]): Promise<Map<SnapshotKind, ListedObjects<KubeObject>>> {
  const lists = new Map<SnapshotKind, ListedObjects<KubeObject>>();
  const queue = [...kinds];
  try {
    const first = queue.shift();
    const started = performance.now();
    if (first) lists.set(first, await client.listed(first));
    const inFlight = performance.now() - started > FAR_CLUSTER_FIRST_LIST_MS ? LISTS_IN_FLIGHT : 1;
    await Promise.all(
      Array.from({ length: Math.min(inFlight, queue.length) }, async () => {
        for (let kind = queue.shift(); kind; kind = queue.shift()) lists.set(kind, await client.listed(kind));
      }),
    );
  } catch (err) {
    throw new ClusterUnavailable(describeFailure(err));
  }
  // In catalogue order, whatever order the answers came in.
  return new Map(kinds.filter((k) => lists.has(k)).map((k) => [k, lists.get(k)!]));
}

function refOf(o: { kind?: string; metadata: { name: string; namespace?: string } }): ObjectRef {
  return { kind: o.kind ?? 'Unknown', name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
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
