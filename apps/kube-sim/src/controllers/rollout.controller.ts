/**
 * The Cluster API rollout, simulated: when a management cluster's `Cluster` gets a new
 * `spec.topology.version`, the linked workload cluster is upgraded step by step (control-plane
 * nodes, then /version, then worker nodes one at a time), and the Cluster's conditions and phase
 * follow. Step delay is per management cluster; faults can stall or fail a rollout.
 */
import { API_SERVER_URL_ANNOTATION, type KubeObject } from '../content/contract';
import type { ClusterRecord } from '../fleet/cluster-record';
import type { FleetRegistry } from '../fleet/fleet.registry';
import type { Change } from '../store/object-store';

const CLUSTERS = 'cluster.x-k8s.io/clusters';
const MACHINE_DEPLOYMENTS = 'cluster.x-k8s.io/machinedeployments';
const TKRS = 'run.tanzu.vmware.com/tanzukubernetesreleases';
const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

export type RolloutPhase = 'ControlPlane' | 'Workers' | 'Completed' | 'Failed';

export interface RolloutStatus {
  management: string;
  namespace: string;
  cluster: string;
  workload?: string;
  fromVersion: string;
  targetVersion: string;
  /** What nodes and /version report once upgraded: the release's Kubernetes version. */
  kubernetesVersion: string;
  phase: RolloutPhase;
  /** Set when the target matched no release: nothing changed, the Cluster says why. */
  unresolved?: boolean;
  stalled: boolean;
  updatedNodes: number;
  totalNodes: number;
  startedAt: string;
  finishedAt?: string;
  message: string;
}

interface Rollout extends RolloutStatus {
  timer?: NodeJS.Timeout;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function topologyVersion(o: KubeObject | undefined): string | undefined {
  return (o?.spec as { topology?: { version?: string } } | undefined)?.topology?.version;
}

function isControlPlane(node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  return CONTROL_PLANE_LABELS.some((l) => l in labels);
}

function kubeletVersion(node: KubeObject): string | undefined {
  return (node.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion;
}

export class RolloutController {
  private readonly rollouts = new Map<string, Rollout>();
  private stopped = false;

  constructor(
    private readonly fleet: FleetRegistry,
    private readonly defaultStepMs: number,
  ) {
    fleet.onChange((record, change) => this.observe(record, change));
    fleet.onRemove((name) => {
      for (const [key, r] of this.rollouts) if (r.management === name) this.cancel(key);
    });
  }

  stepMs(record: ClusterRecord): number {
    return record.rolloutStepMs ?? this.defaultStepMs;
  }

  /** Rollouts driven by or applied to this cluster. */
  status(name: string): RolloutStatus[] {
    return [...this.rollouts.values()].filter((r) => r.management === name || r.workload === name).map(({ timer: _t, ...s }) => ({ ...s }));
  }

  stop(): void {
    this.stopped = true;
    for (const key of [...this.rollouts.keys()]) this.cancel(key);
  }

  private cancel(key: string): void {
    const r = this.rollouts.get(key);
    if (r?.timer) clearTimeout(r.timer);
    this.rollouts.delete(key);
  }

  private observe(record: ClusterRecord, change: Change): void {
    if (this.stopped || change.storeKey !== CLUSTERS || record.spec.flavor !== 'management') return;
    const key = `${record.spec.name}/${change.stored.obj.metadata.namespace ?? ''}/${change.stored.obj.metadata.name}`;
    if (change.type === 'DELETED') {
      this.cancel(key);
      return;
    }
    const target = topologyVersion(change.stored.obj);
    const before = topologyVersion(change.old?.obj);
    if (change.type !== 'MODIFIED' || !target || target === before) return;
    this.cancel(key);
    const workload = this.workloadOf(record, change.stored.obj);
    const wrec = workload ? this.fleet.get(workload) : undefined;
    const nodes = wrec ? this.fleet.store(wrec).list('/nodes') : [];
    const release = this.resolveRelease(record, target);
    const r: Rollout = {
      management: record.spec.name,
      namespace: change.stored.obj.metadata.namespace ?? '',
      cluster: change.stored.obj.metadata.name,
      workload,
      fromVersion: before ?? '',
      targetVersion: target,
      kubernetesVersion: release ?? target,
      phase: 'ControlPlane',
      stalled: false,
      updatedNodes: 0,
      totalNodes: nodes.length,
      startedAt: now(),
      message: `Control plane is upgrading to ${target}`,
    };
    this.rollouts.set(key, r);
    if (release === undefined) {
      // As TKG's release resolver does: a version no TanzuKubernetesRelease offers goes nowhere.
      r.phase = 'Failed';
      r.unresolved = true;
      r.finishedAt = now();
      r.message = `could not resolve TanzuKubernetesRelease for version ${target}: no release offered by ${record.spec.name} matches`;
      this.writeClusterStatus(record, r);
      return;
    }
    this.updateMachineDeployments(record, r, true);
    this.writeClusterStatus(record, r);
    this.schedule(key, r);
  }

  /**
   * The Kubernetes version a target resolves to: on a management cluster that offers
   * TanzuKubernetesReleases, the matching release's spec.kubernetes.version (the target may name the
   * release, its version or its Kubernetes version); undefined when none matches. Elsewhere the target.
   */
  private resolveRelease(mgmt: ClusterRecord, target: string): string | undefined {
    const tkrs = this.fleet.store(mgmt).list(TKRS);
    if (tkrs.length === 0) return target;
    for (const t of tkrs) {
      const spec = (t.obj.spec ?? {}) as { version?: string; kubernetes?: { version?: string } };
      if (spec.version === target || t.obj.metadata.name === target || spec.kubernetes?.version === target) return spec.kubernetes?.version ?? spec.version ?? target;
    }
    return undefined;
  }

  private workloadOf(mgmt: ClusterRecord, cluster: KubeObject): string | undefined {
    const url = cluster.metadata.annotations?.[API_SERVER_URL_ANNOTATION];
    const m = url ? /\/clusters\/([^/?#]+)/.exec(url) : null;
    if (m && this.fleet.get(decodeURIComponent(m[1]))) return decodeURIComponent(m[1]);
    const byName = this.fleet.get(cluster.metadata.name);
    if (byName && (byName.spec.managedBy === mgmt.spec.name || !byName.spec.managedBy)) return cluster.metadata.name;
    return undefined;
  }

  private schedule(key: string, r: Rollout): void {
    const mgmt = this.fleet.get(r.management);
    if (!mgmt || this.stopped) return;
    r.timer = setTimeout(() => this.step(key), Math.max(10, this.stepMs(mgmt)));
    r.timer.unref();
  }

  private step(key: string): void {
    const r = this.rollouts.get(key);
    const mgmt = this.fleet.get(r?.management ?? '');
    if (!r || !mgmt) return;
    r.timer = undefined;
    const wrec = r.workload ? this.fleet.get(r.workload) : undefined;
    if (mgmt.faults.rolloutFail || wrec?.faults.rolloutFail) {
      r.phase = 'Failed';
      r.finishedAt = now();
      r.message = `Upgrade to ${r.targetVersion} failed: ${r.updatedNodes ? `node ${r.updatedNodes + 1} of ${r.totalNodes} did not become Ready` : 'control plane machine failed to provision'}`;
      this.writeClusterStatus(mgmt, r);
      return;
    }
    const stalled = !!(mgmt.faults.rolloutStall || wrec?.faults.rolloutStall);
    if (stalled !== r.stalled) {
      r.stalled = stalled;
      this.writeClusterStatus(mgmt, r);
    }
    if (stalled) {
      this.schedule(key, r);
      return;
    }
    if (!wrec) {
      this.finish(mgmt, r);
      return;
    }
    const store = this.fleet.store(wrec);
    const nodes = store.list('/nodes').map((s) => s.obj);
    const pending = nodes.filter((n) => kubeletVersion(n) !== r.kubernetesVersion && (r.phase === 'ControlPlane' ? isControlPlane(n) : !isControlPlane(n)));
    if (pending.length > 0) {
      const node = pending[0];
      const status = (node.status ?? {}) as Record<string, any>;
      store.put('/nodes', { ...node, metadata: { ...node.metadata }, status: { ...status, nodeInfo: { ...status.nodeInfo, kubeletVersion: r.kubernetesVersion, kubeProxyVersion: r.kubernetesVersion } } });
      r.updatedNodes++;
      if (r.phase === 'Workers') this.countUpdatedMachines(mgmt, r, store.list('/nodes').map((x) => x.obj));
      r.message = `${r.phase === 'ControlPlane' ? 'Control plane' : 'Workers'}: upgraded node ${node.metadata.name} to ${r.kubernetesVersion} (${r.updatedNodes}/${r.totalNodes})`;
      this.writeClusterStatus(mgmt, r);
      this.schedule(key, r);
      return;
    }
    if (r.phase === 'ControlPlane') {
      const m = /^v?(\d+)\.(\d+)/.exec(r.kubernetesVersion);
      if (wrec.versionInfo && m) wrec.versionInfo = { ...wrec.versionInfo, gitVersion: r.kubernetesVersion, major: m[1], minor: m[2] };
      this.fleet.markDirty(wrec);
      r.phase = 'Workers';
      r.message = `Control plane upgraded to ${r.kubernetesVersion}; upgrading workers`;
      this.writeClusterStatus(mgmt, r);
      this.schedule(key, r);
      return;
    }
    this.finish(mgmt, r);
  }

  private finish(mgmt: ClusterRecord, r: Rollout): void {
    r.phase = 'Completed';
    r.finishedAt = now();
    r.message = `Cluster upgraded to ${r.targetVersion}`;
    this.updateMachineDeployments(mgmt, r, false);
    this.writeClusterStatus(mgmt, r);
  }

  /** A worker node names its MachineDeployment as its prefix: that deployment's updatedReplicas follows. */
  private countUpdatedMachines(mgmt: ClusterRecord, r: Rollout, nodes: KubeObject[]): void {
    const store = this.fleet.store(mgmt);
    for (const s of store.list(MACHINE_DEPLOYMENTS, r.namespace)) {
      const md = s.obj as KubeObject & { spec?: Record<string, any>; status?: Record<string, any> };
      const mine = nodes.filter((n) => n.metadata.name.startsWith(`${md.metadata.name}-`));
      if (mine.length === 0) continue;
      const updated = mine.filter((n) => kubeletVersion(n) === r.kubernetesVersion).length;
      if (updated === md.status?.updatedReplicas) continue;
      store.put(MACHINE_DEPLOYMENTS, { ...md, metadata: { ...md.metadata }, status: { ...md.status, updatedReplicas: updated } });
    }
  }

  private updateMachineDeployments(mgmt: ClusterRecord, r: Rollout, starting: boolean): void {
    const store = this.fleet.store(mgmt);
    for (const s of store.list(MACHINE_DEPLOYMENTS, r.namespace)) {
      const md = s.obj as KubeObject & { spec?: Record<string, any>; status?: Record<string, any> };
      const owner = md.spec?.clusterName ?? md.metadata.labels?.['cluster.x-k8s.io/cluster-name'];
      if (owner !== r.cluster) continue;
      const replicas = md.spec?.replicas ?? md.status?.replicas ?? 0;
      const spec = { ...md.spec, template: { ...md.spec?.template, spec: { ...md.spec?.template?.spec, version: r.targetVersion } } };
      const status = { ...md.status, phase: starting ? 'ScalingUp' : 'Running', updatedReplicas: starting ? 0 : replicas, replicas, readyReplicas: replicas };
      store.put(MACHINE_DEPLOYMENTS, { ...md, metadata: { ...md.metadata, generation: (md.metadata.generation ?? 1) + (starting ? 1 : 0) }, spec: starting ? spec : md.spec, status });
    }
  }

  private writeClusterStatus(mgmt: ClusterRecord, r: Rollout): void {
    const store = this.fleet.store(mgmt);
    const current = store.get(CLUSTERS, r.namespace, r.cluster);
    if (!current) return;
    const obj = current.obj;
    const status = { ...((obj.status ?? {}) as Record<string, any>) };
    const t = now();
    const done = r.phase === 'Completed';
    const failed = r.phase === 'Failed';
    const cond = (type: string, ok: boolean, reason?: string, message?: string, severity = 'Info') => {
      const prev = ((status.conditions ?? []) as Array<Record<string, string>>).find((c) => c.type === type);
      const s = ok ? 'True' : 'False';
      const c: Record<string, string> = { type, status: s, lastTransitionTime: prev?.status === s ? (prev.lastTransitionTime ?? t) : t };
      if (!ok) {
        c.severity = severity;
        if (reason) c.reason = reason;
        if (message) c.message = message;
      }
      return c;
    };
    const cpDone = r.phase !== 'ControlPlane';
    if (r.unresolved) {
      // The running version is untouched: only topology reconciliation is blocked.
      const others = ((status.conditions ?? []) as Array<Record<string, string>>).filter((c) => c.type !== 'TopologyReconciled');
      status.conditions = [...others, cond('TopologyReconciled', false, 'TKRResolutionFailed', r.message, 'Warning')];
      store.put(CLUSTERS, { ...obj, metadata: { ...obj.metadata }, status });
      return;
    }
    status.conditions = [
      cond('Ready', done, failed ? 'UpgradeFailed' : 'RollingUpdateInProgress', r.message, failed ? 'Error' : 'Info'),
      cond('ControlPlaneInitialized', true),
      cond('ControlPlaneReady', cpDone && !failed, failed ? 'UpgradeFailed' : 'RollingUpdateInProgress', r.message, failed ? 'Error' : 'Info'),
      cond('InfrastructureReady', true),
      cond('TopologyReconciled', done, failed ? 'UpgradeFailed' : r.stalled ? 'UpgradeStalled' : cpDone ? 'MachineDeploymentsUpgradePending' : 'ControlPlaneUpgradePending', r.message, failed ? 'Error' : r.stalled ? 'Warning' : 'Info'),
    ];
    status.phase = failed ? 'Failed' : 'Provisioned';
    if (failed) {
      status.failureReason = 'UpgradeFailed';
      status.failureMessage = r.message;
    } else {
      delete status.failureReason;
      delete status.failureMessage;
    }
    status.observedGeneration = obj.metadata.generation;
    store.put(CLUSTERS, { ...obj, metadata: { ...obj.metadata }, status });
  }
}
