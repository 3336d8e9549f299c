import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, CampaignRepository, ClusterEntity, ClusterRepository, ManagementCatalogRepository, UpgradeEntity, UpgradeRepository } from '@flotilla/persistence';
import { isUuid } from '@flotilla/validation';
import { UpgradeStarter } from '@flotilla/queue';
import { kubeVersion } from '@flotilla/validation';
import { REGISTRY_REFUSALS, availableUpgrades, offeredSpelling, parseKubeVersion, upgradeBlockers } from '@flotilla/upgrade';
import { ViewerContext } from '../auth/viewer';
import { clusterScope, seesCluster } from '../auth/workspace-restriction';
import { DomainError, ErrorCode, badInput, conflict, notFound } from '../common/domain.errors';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { StartUpgradeInput } from './upgrade.model';

/**
 * Upgrades from the API's side: validate, record the upgrade and its job in one transaction, audit.
 * Pre-flight needs the cluster (nodes, /metrics, the releases on offer), so it runs in the worker and
 * its verdict lands on the upgrade; the mutation refuses only what the registry alone can tell.
 */
@Injectable()
export class UpgradeService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly upgrades: UpgradeRepository,
    private readonly clusters: ClusterRepository,
    private readonly catalogs: ManagementCatalogRepository,
    private readonly starter: UpgradeStarter,
    private readonly audit: AuditRepository,
    private readonly campaignMembership: CampaignRepository,
  ) {}

  async start(viewer: ViewerContext, input: StartUpgradeInput): Promise<UpgradeEntity> {
    const targetVersion = kubeVersion(input.targetVersion, 'input.targetVersion');
    try {
      parseKubeVersion(targetVersion);
    } catch (err) {
      throw badInput('input.targetVersion', (err as Error).message);
    }
    const cluster = isUuid(input.clusterId) ? await this.clusters.findById(clusterScope(viewer), input.clusterId) : null;
    if (!cluster || cluster.status === 'DETACHED') throw notFound('cluster', input.clusterId);
    const refuse = async (code: ErrorCode, message: string): Promise<never> => {
      await this.audit.record(this.db, viewer.organizationId, {
        actor: viewer.actor,
        action: 'upgrade.start',
        targetType: 'Cluster',
        targetId: cluster.id,
        outcome: 'FAILURE',
        details: { cluster: cluster.name, targetVersion, reason: message },
      });
      throw new DomainError(code, message, 'input.clusterId');
    };
    const manager = cluster.managementClusterId ? await this.clusters.findById(viewer.organizationId, cluster.managementClusterId) : null;
    // The same rules a campaign plans with (libs/upgrade upgradeBlockers); the rest are judged live by the worker's pre-flight.
    const blocker = upgradeBlockers(
      {
        name: cluster.name,
        apiServerUrl: cluster.apiServerUrl,
        status: cluster.status,
        kubernetesVersion: cluster.kubernetesVersion,
        nodeCount: cluster.nodeCount,
        readyNodeCount: cluster.readyNodeCount,
        managed: !!(cluster.managementClusterId && cluster.managementNamespace && cluster.managementName),
        managerAttached: !!manager && manager.status !== 'DETACHED',
        offeredVersions: null,
        removedApisInUse: null,
        upgradeInProgress: false,
      },
      targetVersion,
    ).find((b) => REGISTRY_REFUSALS.has(b.kind));
    if (blocker) return refuse(ErrorCode.FailedPrecondition, blocker.reason);
    const campaign = await this.campaignMembership.activeCampaignOf(viewer.organizationId, cluster.id);
    if (campaign) {
      return refuse(
        ErrorCode.FailedPrecondition,
        `cluster ${cluster.name} is part of running upgrade campaign ${campaign.name} (${campaign.id}): the campaign upgrades it; cancel the campaign, or wait for it to end, to upgrade it by hand`,
      );
    }
    if (!cluster.managementClusterId || !cluster.managementNamespace || !cluster.managementName || !cluster.kubernetesVersion) throw new Error('unreachable: checked by upgradeBlockers');
    const managed = { id: cluster.managementClusterId, namespace: cluster.managementNamespace, name: cluster.managementName };
    const offered = (await this.catalogs.offeredVersions(viewer.organizationId, [managed.id])).get(managed.id) ?? [];
    const toVersion = offeredSpelling(targetVersion, offered);
    const outcome = await this.db.transaction(async (tx) => {
      const r = await this.starter.start(tx, viewer.organizationId, {
        clusterId: cluster.id,
        fromVersion: cluster.kubernetesVersion as string,
        toVersion,
        managementClusterId: managed.id,
        managementNamespace: managed.namespace,
        managementName: managed.name,
        createdBy: viewer.actor,
      });
      if (!('created' in r)) return r;
      const upgrade = r.created;
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'upgrade.start',
        targetType: 'Upgrade',
        targetId: upgrade.id,
        details: { clusterId: cluster.id, cluster: cluster.name, fromVersion: upgrade.fromVersion, toVersion, requested: targetVersion },
      });
      return r;
    });
    if ('created' in outcome) return outcome.created;
    const active = outcome.active;
    const what = active ? `upgrade ${active.id} to ${active.toVersion} is ${active.status}` : 'another upgrade was started at the same moment';
    await this.audit.record(this.db, viewer.organizationId, {
      actor: viewer.actor,
      action: 'upgrade.start',
      targetType: 'Cluster',
      targetId: cluster.id,
      outcome: 'FAILURE',
      details: { cluster: cluster.name, targetVersion, reason: 'an upgrade is already in progress', activeUpgradeId: active?.id ?? null },
    });
    throw conflict('input.clusterId', `cluster ${cluster.name} already has an upgrade in progress: ${what}; cancel it or wait for it to finish`);
  }

  /**
   * Stops following an upgrade. The message says whether Flotilla had already patched the Cluster
   * (then Cluster API carries on rolling out by itself) and where the nodes were last seen. Decided
   * in the UPDATE itself, so a worker patching at the same moment cannot make it lie.
   */
  async cancel(viewer: ViewerContext, id: string): Promise<UpgradeEntity> {
    const current = await this.upgrades.findById(viewer.organizationId, id);
    if (!current || !seesCluster(viewer, current.clusterId)) throw notFound('upgrade', id);
    if (current.status === 'CANCELLED') return current;
    if (current.status === 'SUCCEEDED' || current.status === 'FAILED') {
      throw new DomainError(ErrorCode.FailedPrecondition, `upgrade ${id} already ended ${current.status}: there is nothing to cancel`, 'id');
    }
    const cluster = await this.clusters.findById(viewer.organizationId, current.clusterId);
    const where = `Cluster ${current.managementNamespace}/${current.managementName} on the management cluster`;
    const nodes = current.progress ? `last observed: ${current.progress}` : `nodes last seen at ${cluster?.kubernetesVersion ?? current.fromVersion}`;
    const messages = {
      notPatched: `Cancelled by ${viewer.actor} before Flotilla patched ${where}: nothing was changed, the cluster stays at ${cluster?.kubernetesVersion ?? current.fromVersion}.`,
      patched: `Cancelled by ${viewer.actor} after Flotilla patched ${where} to ${current.toVersion}: Cluster API keeps rolling it out, Flotilla stopped following (${nodes}); sync will show the version nodes reach.`,
    };
    return this.db.transaction(async (tx) => {
      const cancelled = await this.upgrades.cancel(tx, viewer.organizationId, id, messages);
      if (!cancelled) {
        const now = await this.upgrades.findById(viewer.organizationId, id, tx);
        if (now?.status === 'CANCELLED') return now;
        throw new DomainError(ErrorCode.FailedPrecondition, `upgrade ${id} already ended ${now?.status ?? 'unknown'}: there is nothing to cancel`, 'id');
      }
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'upgrade.cancel',
        targetType: 'Upgrade',
        targetId: id,
        details: { clusterId: cancelled.clusterId, toVersion: cancelled.toVersion, patched: cancelled.patchedAt !== null, message: cancelled.error },
      });
      return cancelled;
    });
  }

  async get(viewer: ViewerContext, id: string): Promise<UpgradeEntity | null> {
    const upgrade = await this.upgrades.findById(viewer.organizationId, id);
    return upgrade && seesCluster(viewer, upgrade.clusterId) ? upgrade : null;
  }

  /** Skew-allowed releases for each cluster, newest first; [] for a cluster Cluster API does not manage. */
  async availableFor(organizationId: string, clusters: ReadonlyArray<Pick<ClusterEntity, 'managementClusterId' | 'kubernetesVersion'>>): Promise<string[][]> {
    const offered = await this.catalogs.offeredVersions(
      organizationId,
      clusters.map((c) => c.managementClusterId).filter((x): x is string => !!x),
    );
    return clusters.map((c) => {
      if (!c.managementClusterId || !c.kubernetesVersion) return [];
      try {
        return availableUpgrades(c.kubernetesVersion, offered.get(c.managementClusterId) ?? []);
      } catch {
        return []; // a version Flotilla cannot read offers no safe target
      }
    });
  }
}
