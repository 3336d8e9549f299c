import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, ClusterEntity, ClusterRepository, InspectionRepository } from '@flotilla/persistence';
import { ClusterClient, ClusterClientFactory, describeFailure, detectProvider, kindOfPlural } from '@flotilla/cluster-access';
import { InspectionKind, InspectionSnapshot, KubeObject, podSecurityLevels, requiredResources, runInspection, summarize } from '@flotilla/inspection';
import { JobName, JobPayloads } from '@flotilla/queue';
import { parseDeprecatedApiMetrics, parseKubeVersion } from '@flotilla/upgrade';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { DATA_SOURCE } from '@flotilla/infrastructure';

const WORKER_ACTOR = 'flotilla-worker';

/**
 * The run-inspection job: fetch what requiredResources(kind) names through the cluster client, hand
 * the snapshot to the pure checks of libs/inspection, store checks and counts. A cluster that cannot
 * be read ends the inspection FAILED with the reason. Re-running a finished inspection does nothing.
 */
@Injectable()
export class InspectionRunnerService implements OnModuleInit {
  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly inspections: InspectionRepository,
    private readonly clusters: ClusterRepository,
    private readonly clients: ClusterClientFactory,
    private readonly audit: AuditRepository,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.RunInspection, (p) => this.run(p));
  }

  async run({ organizationId, inspectionId }: JobPayloads[JobName.RunInspection]): Promise<void> {
    const inspection = await this.inspections.markRunning(organizationId, inspectionId);
    if (!inspection) return;
    const cluster = await this.clusters.findForWorker(organizationId, inspection.clusterId);
    let outcome: Parameters<InspectionRepository['finish']>[2];
    if (!cluster || cluster.status === 'DETACHED') {
      outcome = { status: 'FAILED', error: 'the cluster was detached from Flotilla' };
    } else {
      try {
        const client = await this.clients.forCluster(cluster);
        const snapshot = await this.snapshot(inspection.kind, cluster, client, inspection.targetVersion);
        const checks = runInspection(inspection.kind, snapshot);
        outcome = { status: 'SUCCEEDED', checks, ...summarize(checks), targetVersion: snapshot.targetVersion ?? null };
      } catch (err) {
        outcome = { status: 'FAILED', error: `could not inspect cluster ${cluster.name}: ${describeFailure(err)}` };
      }
    }
    // The outcome and its audit event land together: nobody sees a finished inspection without its record.
    await this.db.transaction(async (tx) => {
      const done = await this.inspections.finish(organizationId, inspectionId, outcome, tx);
      if (!done) return;
      await this.audit.record(tx, organizationId, {
        actor: WORKER_ACTOR,
        action: `inspection.${done.status.toLowerCase()}`,
        targetType: 'Inspection',
        targetId: done.id,
        outcome: done.status === 'SUCCEEDED' ? 'SUCCESS' : 'FAILURE',
        details: { clusterId: done.clusterId, kind: done.kind, passed: done.passed, failed: done.failed, warnings: done.warnings, error: done.error, requestedBy: done.createdBy },
      });
    });
  }

  /** Exactly what the kind needs, beyond /version (always read). */
  async snapshot(kind: InspectionKind, cluster: ClusterEntity, client: ClusterClient, targetVersion: string | null): Promise<InspectionSnapshot> {
    const version = await client.readVersion();
    // The registry's provider comes from the last sync; a cluster never synced is judged by its version string.
    const provider = cluster.provider !== 'GENERIC' ? cluster.provider : detectProvider(version.gitVersion, []);
    const s: InspectionSnapshot = { provider, version: version.gitVersion };
    if (targetVersion) s.targetVersion = targetVersion;
    else if (kind === 'DEPRECATED_APIS') s.targetVersion = nextMinorOf(version.gitVersion);
    let pods: KubeObject[] | undefined;
    let namespaces: KubeObject[] | undefined;
    for (const need of requiredResources(kind)) {
      if (need === 'health') {
        s.health = await client.probeHealth();
        continue;
      }
      if (need === 'deprecated-api-metrics') {
        s.deprecatedApisInUse = parseDeprecatedApiMetrics(await client.readMetrics());
        continue;
      }
      const [resource, namespace] = need.split(':');
      const items = await client.list<KubeObject>(kindOfPlural(resource), namespace ? { namespace } : {});
      switch (resource) {
        case 'nodes':
          s.nodes = items;
          break;
        case 'pods':
          if (kind === 'POD_SECURITY') pods = items;
          else s.pods = items;
          break;
        case 'deployments':
          s.deployments = items;
          break;
        case 'daemonsets':
          s.daemonSets = items;
          break;
        case 'clusterroles':
          s.clusterRoles = items;
          break;
        case 'clusterrolebindings':
          s.clusterRoleBindings = items;
          break;
        case 'roles':
          s.roles = items;
          break;
        case 'rolebindings':
          s.roleBindings = items;
          break;
        case 'namespaces':
          namespaces = items;
          s.namespaces = items;
          break;
      }
    }
    if (kind === 'POD_SECURITY') s.podSecurity = { namespaces: podSecurityLevels(namespaces ?? [], pods ?? []) };
    return s;
  }
}

/** The default DEPRECATED_APIS target, "v1.32" for a cluster at v1.31.x; undefined (the checks SKIP) for an unreadable version. */
function nextMinorOf(version: string): string | undefined {
  try {
    const v = parseKubeVersion(version);
    return `v${v.major}.${v.minor + 1}`;
  } catch {
    return undefined;
  }
}
