import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@flotilla/config';
import { AuditRepository, ClusterCredentialRepository, ClusterRepository, JobRecordRepository, OutboxRepository, ProvisioningRepository, ProvisioningRow } from '@flotilla/persistence';
import { ClusterClient, ClusterClientFactory, CredentialCipher, DEFAULT_BINDABLE_ROLES, DEFAULT_TOKEN_TTL_SECONDS, KubeApiError, KubeObject, InstalledAgentIdentity, describeFailure, installAgentIdentity } from '@flotilla/cluster-access';
import { JobName, JobPayloads, QueueName, jobIds, outboxMessage } from '@flotilla/queue';
import { CapiClusterStatus, MANAGED_BY_LABEL, MANAGED_BY_VALUE, ResolvedProvisionSpec, assessProvisioning, parseAdminKubeconfig, renderClusterManifests } from '@flotilla/provisioning';
import { redactText } from '@flotilla/observability';
import { APP_CONFIG, CREDENTIAL_CIPHER, DATA_SOURCE } from '@flotilla/infrastructure';
import { JobContext, JobHandlerRegistry } from '../jobs/job-handler.registry';

const WORKER_ACTOR = 'flotilla-worker';

/** A provisioning that cannot succeed: ends FAILED with this message (anything else is retried by the queue). */
class ProvisioningFailure extends Error {}

type CapiCluster = KubeObject & { status?: CapiClusterStatus; metadata: KubeObject['metadata'] & { deletionTimestamp?: string } };
type SecretObject = KubeObject & { data?: Record<string, string> };

/**
 * The run-provisioning job, for one provisioned cluster, by its phase:
 *
 * - PROVISIONING: server-side applies the rendered Cluster API objects on the management cluster
 *   (once: a Cluster that exists and carries Flotilla's managed-by label is followed, not applied
 *   again), follows the Cluster's phase and conditions until the control plane is ready, reads the
 *   `<name>-kubeconfig` Secret, creates the agent identity attach creates with that admin
 *   credential (installAgentIdentity: the same objects and TokenRequest as CLI attach), stores only
 *   the agent's short-lived token with its expiry (renewed by the worker like any attached
 *   cluster's), and queues the first sync (→ CONNECTED). The admin credential is used for that setup only and never stored.
 * - DELETING: deletes the Cluster and follows it until it is gone → the cluster is DETACHED.
 *
 * Following polls for at most one slice (FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS), then hands over
 * to a follow-up job through the outbox; only the runner that wins the follow_seq compare-and-set
 * queues it, so replicas never follow one provisioning twice. The deadline (deadline_at, fixed in
 * PostgreSQL when the phase started) is judged by PostgreSQL's clock. A severity-Error condition,
 * the deadline, or an unexpected error on the last attempt ends the phase FAILED with the reason.
 */
@Injectable()
export class ProvisioningRunnerService implements OnModuleInit {
  private readonly logger = new Logger(ProvisioningRunnerService.name);

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly provisionings: ProvisioningRepository,
    private readonly clusters: ClusterRepository,
    private readonly clients: ClusterClientFactory,
    private readonly credentials: ClusterCredentialRepository,
    private readonly outbox: OutboxRepository,
    private readonly jobs: JobRecordRepository,
    private readonly audit: AuditRepository,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.RunProvisioning, (p, ctx) => this.run(p, ctx));
  }

  async run({ organizationId, clusterId }: JobPayloads[JobName.RunProvisioning], ctx: JobContext): Promise<void> {
    const p = await this.provisionings.find(organizationId, clusterId);
    if (!p || (p.phase !== 'PROVISIONING' && p.phase !== 'DELETING')) return; // finished: nothing to do
    try {
      if (p.phase === 'PROVISIONING') await this.provision(p, ctx);
      else await this.deprovision(p, ctx);
    } catch (err) {
      if (!(err instanceof ProvisioningFailure) && !ctx.lastAttempt) throw err;
      const reason = err instanceof ProvisioningFailure ? err.message : `unexpected error: ${describeFailure(err)}`;
      await this.fail(p, reason);
      if (!(err instanceof ProvisioningFailure)) this.logger.warn({ clusterId, error: redactText((err as Error).message ?? String(err)) }, 'provisioning failed unexpectedly');
    }
  }

  private async managementClient(p: ProvisioningRow): Promise<ClusterClient> {
    const m = await this.clusters.findForWorker(p.organizationId, p.managementClusterId);
    if (!m || m.status === 'DETACHED') throw new ProvisioningFailure('its management cluster is no longer attached to Flotilla');
    return this.clients.forCluster(m);
  }

  private ref(p: ProvisioningRow): string {
    return `Cluster ${p.namespace}/${p.name}`;
  }

  private async provision(p: ProvisioningRow, ctx: JobContext): Promise<void> {
    const mgmt = await this.managementClient(p);
    const existing = await mgmt.get<CapiCluster>('Cluster', p.name, p.namespace);
    if (existing && existing.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) {
      throw new ProvisioningFailure(`a ${this.ref(p)} already exists on the management cluster and Flotilla did not create it`);
    }
    // Exactly one runner applies (and audits) the objects; another one, or a re-run, follows.
    if (!existing && (await this.provisionings.claimApply(p.organizationId, p.clusterId))) {
      try {
        await this.apply(p, mgmt);
      } catch (err) {
        // A transient failure: the retry (or another runner) must be able to claim the apply again.
        if (!(err instanceof ProvisioningFailure)) await this.provisionings.releaseApply(p.organizationId, p.clusterId);
        throw err;
      }
    }

    const sliceEnds = Date.now() + this.config.upgrade.followSliceSeconds * 1000;
    let current = p;
    for (;;) {
      let capi: CapiCluster | null | undefined;
      try {
        capi = await mgmt.get<CapiCluster>('Cluster', p.name, p.namespace);
      } catch {
        capi = undefined; // unreadable this time: neither progress nor failure; the deadline judges
      }
      // Missing right after another runner claimed the apply is "not yet"; a minute after, it was deleted.
      if (capi === null && current.appliedLongAgo) throw new ProvisioningFailure(`the ${this.ref(p)} was deleted from the management cluster while it was being provisioned`);
      let message = current.message ?? 'waiting';
      if (capi === null) message = `waiting for the ${this.ref(p)} to be applied`;
      if (capi) {
        const a = assessProvisioning(capi.status);
        if (a.state === 'failed') throw new ProvisioningFailure(`Cluster API reports a failure: ${a.reason}`);
        if (a.state === 'controlPlaneReady' && (await this.connect(current, mgmt))) return;
        message = a.state === 'controlPlaneReady' ? 'control plane ready; waiting for the kubeconfig Secret' : a.message;
      }
      const next = await this.provisionings.recordProgress(p.organizationId, p.clusterId, 'PROVISIONING', message);
      if (!next) return; // deprovisioned or ended by another runner meanwhile
      current = next;
      if (current.expired) {
        throw new ProvisioningFailure(`the control plane was not ready within FLOTILLA_PROVISION_TIMEOUT_MINUTES (${this.config.provisioning.timeoutMinutes} min); last observed: ${message}`);
      }
      if (ctx.signal.aborted || Date.now() >= sliceEnds) return this.handOver(current, 'provision');
      await sleep(this.config.provisioning.pollIntervalMs, ctx.signal);
    }
  }

  /** Server-side apply of the rendered objects (field manager flotilla); a refusal is final. */
  private async apply(p: ProvisioningRow, mgmt: ClusterClient): Promise<void> {
    if (!(await mgmt.get('Namespace', p.namespace))) {
      throw new ProvisioningFailure(`namespace ${p.namespace} does not exist on the management cluster (on a Supervisor, create the vSphere Namespace in vCenter first)`);
    }
    const objects = renderClusterManifests(p.spec as unknown as ResolvedProvisionSpec);
    for (const o of objects) {
      try {
        await mgmt.apply(o);
      } catch (err) {
        if (err instanceof KubeApiError && err.statusCode !== null && err.statusCode >= 400 && err.statusCode < 500 && err.statusCode !== 429) {
          throw new ProvisioningFailure(`the management cluster refused ${o.kind} ${p.namespace}/${o.metadata.name}: ${describeFailure(err)}`);
        }
        throw err;
      }
    }
    await this.audit.record(this.db, p.organizationId, {
      actor: WORKER_ACTOR,
      action: 'cluster.provision.apply',
      targetType: 'Cluster',
      targetId: p.clusterId,
      details: { managementClusterId: p.managementClusterId, cluster: `${p.namespace}/${p.name}`, objects: objects.map((o) => `${o.kind}/${o.metadata.name}`) },
    });
  }

  /**
   * The control plane is ready: with the kubeconfig Cluster API wrote, create the agent identity in
   * the new cluster and store the agent's short-lived token with its expiry (never the admin
   * credential). False while the Secret is not there yet.
   */
  private async connect(p: ProvisioningRow, mgmt: ClusterClient): Promise<boolean> {
    const secret = await mgmt.get<SecretObject>('Secret', `${p.name}-kubeconfig`, p.namespace);
    const value = secret?.data?.value;
    if (!value) return false;
    let admin;
    try {
      admin = parseAdminKubeconfig(Buffer.from(value, 'base64').toString('utf8'));
    } catch (err) {
      throw new ProvisioningFailure(`the ${p.name}-kubeconfig Secret could not be used: ${(err as Error).message}`);
    }
    const url = new URL(admin.server);
    if (url.protocol !== 'https:' && !this.config.kube.insecureSkipTlsVerify) throw new ProvisioningFailure(`the new cluster's API server ${url.origin} is not HTTPS`);
    const cluster = await this.clusters.findForWorker(p.organizationId, p.clusterId);
    if (!cluster || cluster.status === 'DETACHED') return true; // detached meanwhile: nothing to attach
    const adminClient = ClusterClient.direct(
      { apiServerUrl: admin.server, token: admin.token, caPem: admin.caPem, insecureSkipTlsVerify: this.config.kube.insecureSkipTlsVerify || admin.insecureSkipTlsVerify },
      { timeoutMs: this.config.sync.timeoutMs },
    );
    let agent: InstalledAgentIdentity;
    try {
      agent = await installAgentIdentity(adminClient, { bindableRoles: cluster.bindableRoles ?? DEFAULT_BINDABLE_ROLES, tokenTtlSeconds: DEFAULT_TOKEN_TTL_SECONDS });
    } finally {
      adminClient.close();
    }
    const caPem = admin.caPem ?? agent.caPem;
    await this.db.transaction(async (tx) => {
      const done = await this.provisionings.finish(tx, p.organizationId, p.clusterId, ['PROVISIONING'], 'RUNNING', 'control plane ready; attached with the Flotilla agent identity');
      if (!done) return;
      await this.provisionings.markReachable(tx, p.organizationId, p.clusterId, admin.server);
      await this.credentials.save(tx, p.organizationId, p.clusterId, this.cipher.encrypt({ token: agent.token, caPem }, { clusterId: p.clusterId, apiServerUrl: admin.server }), {
        issuedAt: agent.issuedAt,
        expiresAt: agent.expiresAt,
      });
      await this.outbox.add(tx, [outboxMessage(JobName.SyncCluster, jobIds.syncCluster(p.clusterId, `provisioned-${Date.now()}`), { organizationId: p.organizationId, clusterId: p.clusterId })]);
      await this.audit.record(tx, p.organizationId, {
        actor: WORKER_ACTOR,
        action: 'cluster.provision.attach',
        targetType: 'Cluster',
        targetId: p.clusterId,
        details: { apiServerUrl: admin.server, managementClusterId: p.managementClusterId, cluster: `${p.namespace}/${p.name}`, identity: 'flotilla-agent' },
      });
    });
    return true;
  }

  private async deprovision(p: ProvisioningRow, ctx: JobContext): Promise<void> {
    const mgmt = await this.managementClient(p);
    const existing = await mgmt.get<CapiCluster>('Cluster', p.name, p.namespace);
    if (existing && !existing.metadata.deletionTimestamp) {
      try {
        await mgmt.delete('Cluster', p.name, p.namespace);
      } catch (err) {
        if (err instanceof KubeApiError && err.statusCode !== null && err.statusCode >= 400 && err.statusCode < 500 && err.statusCode !== 429) {
          throw new ProvisioningFailure(`the management cluster refused to delete the ${this.ref(p)}: ${describeFailure(err)}`);
        }
        throw err;
      }
      await this.audit.record(this.db, p.organizationId, { actor: WORKER_ACTOR, action: 'cluster.deprovision.delete', targetType: 'Cluster', targetId: p.clusterId, details: { cluster: `${p.namespace}/${p.name}` } });
    }
    const sliceEnds = Date.now() + this.config.upgrade.followSliceSeconds * 1000;
    for (;;) {
      let capi: CapiCluster | null | undefined;
      try {
        capi = await mgmt.get<CapiCluster>('Cluster', p.name, p.namespace);
      } catch {
        capi = undefined;
      }
      if (capi === null) return this.deleted(p);
      const message = capi ? `${this.ref(p)} is ${capi.status?.phase ?? 'being deleted'}` : 'waiting to read the Cluster';
      const next = await this.provisionings.recordProgress(p.organizationId, p.clusterId, 'DELETING', message);
      if (!next) return;
      if (next.expired) throw new ProvisioningFailure(`the ${this.ref(p)} was not gone within FLOTILLA_PROVISION_TIMEOUT_MINUTES (${this.config.provisioning.timeoutMinutes} min); last observed: ${message}`);
      if (ctx.signal.aborted || Date.now() >= sliceEnds) return this.handOver(next, 'deprovision');
      await sleep(this.config.provisioning.pollIntervalMs, ctx.signal);
    }
  }

  private async deleted(p: ProvisioningRow): Promise<void> {
    await this.db.transaction(async (tx) => {
      const done = await this.provisionings.finish(tx, p.organizationId, p.clusterId, ['DELETING'], 'DELETED', 'the Cluster and everything Cluster API made for it are gone');
      if (!done) return;
      await this.provisionings.markClusterDeleted(tx, p.organizationId, p.clusterId);
      await this.credentials.remove(tx, p.organizationId, p.clusterId);
      await this.audit.record(tx, p.organizationId, { actor: WORKER_ACTOR, action: 'cluster.deprovision.deleted', targetType: 'Cluster', targetId: p.clusterId, details: { cluster: `${p.namespace}/${p.name}` } });
    });
    this.clients.forget(p.clusterId);
  }

  private async fail(p: ProvisioningRow, reason: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const done = await this.provisionings.finish(tx, p.organizationId, p.clusterId, [p.phase], 'FAILED', reason);
      if (!done) return;
      if (p.phase === 'PROVISIONING') await this.provisionings.markClusterFailed(tx, p.organizationId, p.clusterId, reason);
      await this.audit.record(tx, p.organizationId, {
        actor: WORKER_ACTOR,
        action: p.phase === 'PROVISIONING' ? 'cluster.provision.failed' : 'cluster.deprovision.failed',
        targetType: 'Cluster',
        targetId: p.clusterId,
        outcome: 'FAILURE',
        details: { cluster: `${p.namespace}/${p.name}`, reason },
      });
    });
  }

  /** Queues the next follow-up through the outbox; only the runner that wins the follow_seq claim does. */
  private async handOver(p: ProvisioningRow, action: 'provision' | 'deprovision'): Promise<void> {
    await this.db.transaction(async (tx) => {
      const seq = await this.provisionings.claimFollowUp(tx, p.organizationId, p.clusterId, p.phase, p.followSeq);
      if (seq === null) return;
      const jobId = jobIds.runProvisioning(p.clusterId, action, seq);
      await this.outbox.add(tx, [outboxMessage(JobName.RunProvisioning, jobId, { organizationId: p.organizationId, clusterId: p.clusterId })]);
      await this.jobs.queued(tx, [{ id: jobId, organizationId: p.organizationId, queue: QueueName.Upgrade, jobName: JobName.RunProvisioning }]);
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
