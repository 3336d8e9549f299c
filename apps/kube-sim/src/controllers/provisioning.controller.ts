/**
 * Cluster API provisioning, simulated: a `Cluster` with a `spec.topology` created on a management
 * cluster becomes a new simulated vSphere workload cluster, step by step (one step per the management
 * cluster's rollout stepMs): Provisioning (infrastructure) → control plane up (the workload cluster
 * appears in the fleet and `<name>-kubeconfig` is written, as CAPI's kubeconfig controller does) →
 * Provisioned (workers ready). Deleting the Cluster (it carries CAPI's finalizer, so it first gets a
 * deletionTimestamp) turns it Deleting, then removes the workload cluster, the kubeconfig Secret
 * and the Cluster. The `provisionFail` fault fails provisioning at its next step with a
 * severity-Error condition.
 */
import { randomUUID } from 'node:crypto';
import { API_SERVER_URL_ANNOTATION, type KubeObject } from '../content/contract';
import { buildKubeconfig } from '../admin/kubeconfig.builder';
import type { ClusterRecord } from '../fleet/cluster-record';
import type { FleetRegistry } from '../fleet/fleet.registry';
import type { Change } from '../store/object-store';

const CLUSTERS = 'cluster.x-k8s.io/clusters';
const SECRETS = '/secrets';
const TKRS = 'run.tanzu.vmware.com/tanzukubernetesreleases';
export const CAPI_CLUSTER_FINALIZER = 'cluster.cluster.x-k8s.io';

interface Topology {
  class?: string;
  version?: string;
  controlPlane?: { replicas?: number };
  workers?: { machineDeployments?: Array<{ name?: string; replicas?: number }> };
}

type Stage = 'Infrastructure' | 'ControlPlane' | 'Workers' | 'Provisioned' | 'Failed' | 'Deleting';

interface Provisioning {
  management: string;
  namespace: string;
  name: string;
  stage: Stage;
  kubernetesVersion: string;
  controlPlane: number;
  workers: number;
  timer?: NodeJS.Timeout;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface ProvisioningDeps {
  fleet: FleetRegistry;
  stepMs: (record: ClusterRecord) => number;
  adminToken: (name: string) => string;
  forgetCluster: (name: string) => void;
  caPem?: string;
}

export class ProvisioningController {
  private readonly active = new Map<string, Provisioning>();
  private stopped = false;

  constructor(private readonly d: ProvisioningDeps) {
    d.fleet.onChange((record, change) => this.observe(record, change));
    d.fleet.onRemove((name) => {
      for (const [key, p] of this.active) if (p.management === name) this.cancel(key);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const key of [...this.active.keys()]) this.cancel(key);
  }

  private cancel(key: string): void {
    const p = this.active.get(key);
    if (p?.timer) clearTimeout(p.timer);
    this.active.delete(key);
  }

  private observe(record: ClusterRecord, change: Change): void {
    if (this.stopped || change.storeKey !== CLUSTERS || record.spec.flavor !== 'management' || change.type === 'DELETED') return;
    const obj = change.stored.obj;
    const key = `${record.spec.name}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const known = this.active.get(key);
    if (obj.metadata.deletionTimestamp) {
      if (known?.stage === 'Deleting') return;
      this.startDeletion(record, key, obj, known);
      return;
    }
    if (known || change.type !== 'ADDED') return;
    const topology = (obj.spec as { topology?: Topology } | undefined)?.topology;
    // Only new Clusters asking for a topology: generated ones (and those of clusters already in the fleet) are left alone.
    if (!topology?.version || (obj.status as { phase?: string } | undefined)?.phase || this.d.fleet.get(obj.metadata.name)) return;
    const p: Provisioning = {
      management: record.spec.name,
      namespace: obj.metadata.namespace ?? 'default',
      name: obj.metadata.name,
      stage: 'Infrastructure',
      kubernetesVersion: topology.version,
      controlPlane: Math.max(1, topology.controlPlane?.replicas ?? 1),
      workers: (topology.workers?.machineDeployments ?? []).reduce((n, md) => n + Math.max(0, md.replicas ?? 0), 0),
    };
    this.active.set(key, p);
    const release = this.resolveRelease(record, topology.version);
    if (release === undefined) {
      this.fail(record, p, 'TKRResolutionFailed', `could not resolve TanzuKubernetesRelease for version ${topology.version}: no release offered by ${record.spec.name} matches`);
      return;
    }
    p.kubernetesVersion = release;
    this.write(record, p, (o) => ({ ...o, metadata: { ...o.metadata, finalizers: [...new Set([...((o.metadata.finalizers as string[] | undefined) ?? []), CAPI_CLUSTER_FINALIZER])] } }));
    this.writeStatus(record, p);
    this.schedule(key, p);
  }

  private resolveRelease(mgmt: ClusterRecord, target: string): string | undefined {
    const tkrs = this.d.fleet.store(mgmt).list(TKRS);
    if (tkrs.length === 0) return target;
    for (const t of tkrs) {
      const spec = (t.obj.spec ?? {}) as { version?: string; kubernetes?: { version?: string } };
      if (spec.version === target || t.obj.metadata.name === target || spec.kubernetes?.version === target) return spec.kubernetes?.version ?? spec.version ?? target;
    }
    return undefined;
  }

  private schedule(key: string, p: Provisioning): void {
    const mgmt = this.d.fleet.get(p.management);
    if (!mgmt || this.stopped) return;
    p.timer = setTimeout(() => this.step(key), Math.max(10, this.d.stepMs(mgmt)));
    p.timer.unref();
  }

  private step(key: string): void {
    const p = this.active.get(key);
    const mgmt = this.d.fleet.get(p?.management ?? '');
    if (!p || !mgmt) return;
    p.timer = undefined;
    if (p.stage === 'Deleting') {
      this.finishDeletion(mgmt, key, p);
      return;
    }
    if (mgmt.faults.provisionFail) {
      const what = p.stage === 'Infrastructure' ? 'VSphereCluster infrastructure' : p.stage === 'ControlPlane' ? 'control plane machine' : 'worker machine';
      this.fail(mgmt, p, 'ProvisioningFailed', `${what} for ${p.namespace}/${p.name} failed to provision: the VirtualMachine could not be powered on (simulated provisionFail fault)`);
      return;
    }
    if (p.stage === 'Infrastructure') {
      p.stage = 'ControlPlane';
      this.writeStatus(mgmt, p);
    } else if (p.stage === 'ControlPlane') {
      if (!this.createWorkload(mgmt, p)) return;
      p.stage = 'Workers';
      this.writeStatus(mgmt, p);
    } else if (p.stage === 'Workers') {
      p.stage = 'Provisioned';
      this.writeStatus(mgmt, p);
      return;
    }
    this.schedule(key, p);
  }

  /** The control plane is up: the workload cluster joins the fleet and its admin kubeconfig is written. */
  private createWorkload(mgmt: ClusterRecord, p: Provisioning): boolean {
    if (this.d.fleet.get(p.name)) {
      this.fail(mgmt, p, 'ProvisioningFailed', `a cluster named ${p.name} already exists in this fleet`);
      return false;
    }
    const workload = this.d.fleet.add({ name: p.name, flavor: 'vsphere', version: p.kubernetesVersion, nodes: p.workers, controlPlaneNodes: p.controlPlane, region: mgmt.spec.region });
    workload.provisionedBy = mgmt.spec.name;
    // Fresh machines: every node of a newly provisioned cluster is Ready (the generator seeds an unready worker in some clusters).
    const wstore = this.d.fleet.store(workload);
    for (const { obj: node } of wstore.list('/nodes')) {
      const status = (node.status ?? {}) as { conditions?: Array<Record<string, string>> };
      const conditions = status.conditions ?? [];
      if (conditions.every((c) => c.type !== 'Ready' || c.status === 'True')) continue;
      const ready = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: now() } : c));
      const spec = { ...((node.spec ?? {}) as { taints?: Array<{ key: string }> }) };
      if (spec.taints) spec.taints = spec.taints.filter((t) => t.key !== 'node.kubernetes.io/unreachable');
      wstore.put('/nodes', { ...node, metadata: { ...node.metadata }, spec, status: { ...status, conditions: ready } });
    }
    const url = this.d.fleet.serverUrlFor(p.name);
    const kubeconfig = buildKubeconfig(p.name, url, this.d.adminToken(p.name), this.d.caPem);
    const store = this.d.fleet.store(mgmt);
    const cluster = store.get(CLUSTERS, p.namespace, p.name)?.obj;
    store.put(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'cluster.x-k8s.io/secret',
      metadata: {
        name: `${p.name}-kubeconfig`,
        namespace: p.namespace,
        uid: randomUUID(),
        creationTimestamp: now(),
        labels: { 'cluster.x-k8s.io/cluster-name': p.name },
        ownerReferences: cluster ? [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: p.name, uid: String(cluster.metadata.uid), controller: true }] : [],
      },
      data: { value: Buffer.from(kubeconfig).toString('base64') },
    });
    const u = new URL(url);
    this.write(mgmt, p, (o) => ({
      ...o,
      metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [API_SERVER_URL_ANNOTATION]: url } },
      spec: { ...(o.spec as object), controlPlaneEndpoint: { host: u.hostname, port: Number(u.port || 443) } },
    }));
    return true;
  }

  private startDeletion(mgmt: ClusterRecord, key: string, obj: KubeObject, known?: Provisioning): void {
    if (known?.timer) clearTimeout(known.timer);
    const p: Provisioning = known ?? { management: mgmt.spec.name, namespace: obj.metadata.namespace ?? 'default', name: obj.metadata.name, stage: 'Deleting', kubernetesVersion: '', controlPlane: 0, workers: 0 };
    p.stage = 'Deleting';
    this.active.set(key, p);
    this.writeStatus(mgmt, p);
    this.schedule(key, p);
  }

  private finishDeletion(mgmt: ClusterRecord, key: string, p: Provisioning): void {
    const workload = this.d.fleet.get(p.name);
    if (workload && workload.provisionedBy === mgmt.spec.name) {
      this.d.fleet.remove(p.name);
      this.d.forgetCluster(p.name);
    }
    const store = this.d.fleet.store(mgmt);
    store.remove(SECRETS, p.namespace, `${p.name}-kubeconfig`);
    store.remove(CLUSTERS, p.namespace, p.name);
    this.active.delete(key);
  }

  private fail(mgmt: ClusterRecord, p: Provisioning, reason: string, message: string): void {
    p.stage = 'Failed';
    this.writeStatus(mgmt, p, { reason, message });
  }

  private write(mgmt: ClusterRecord, p: Provisioning, edit: (o: KubeObject) => KubeObject): void {
    const store = this.d.fleet.store(mgmt);
    const current = store.get(CLUSTERS, p.namespace, p.name);
    if (current) store.put(CLUSTERS, edit(current.obj));
  }

  private writeStatus(mgmt: ClusterRecord, p: Provisioning, failure?: { reason: string; message: string }): void {
    this.write(mgmt, p, (obj) => {
      const status = { ...((obj.status ?? {}) as Record<string, any>) };
      const previous = (status.conditions ?? []) as Array<Record<string, string>>;
      const t = now();
      const cond = (type: string, ok: boolean, reason?: string, message?: string, severity = 'Info') => {
        const prev = previous.find((c) => c.type === type);
        const s = ok ? 'True' : 'False';
        const c: Record<string, string> = { type, status: s, lastTransitionTime: prev?.status === s ? (prev.lastTransitionTime ?? t) : t };
        if (!ok) Object.assign(c, { severity, ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
        return c;
      };
      const order: Stage[] = ['Infrastructure', 'ControlPlane', 'Workers', 'Provisioned'];
      const reached = (s: Stage) => order.indexOf(p.stage) > order.indexOf(s) || p.stage === 'Provisioned';
      if (p.stage === 'Deleting') {
        status.phase = 'Deleting';
        status.conditions = [cond('Ready', false, 'Deleting', 'the Cluster is being deleted', 'Info'), ...previous.filter((c) => c.type !== 'Ready')];
      } else if (failure) {
        status.phase = 'Failed';
        status.failureReason = failure.reason;
        status.failureMessage = failure.message;
        const failing = p.stage === 'Failed' && !reached('Infrastructure') ? 'InfrastructureReady' : 'ControlPlaneReady';
        status.conditions = [
          cond('Ready', false, failure.reason, failure.message, 'Error'),
          cond('InfrastructureReady', failing !== 'InfrastructureReady' && previous.some((c) => c.type === 'InfrastructureReady' && c.status === 'True'), failure.reason, failure.message, 'Error'),
          cond('ControlPlaneReady', false, failure.reason, failure.message, 'Error'),
          cond('TopologyReconciled', failure.reason !== 'TKRResolutionFailed', failure.reason, failure.message, 'Error'),
        ];
      } else {
        const infra = p.stage !== 'Infrastructure';
        const cp = p.stage === 'Workers' || p.stage === 'Provisioned';
        const done = p.stage === 'Provisioned';
        status.phase = done || cp ? 'Provisioned' : 'Provisioning';
        status.infrastructureReady = infra;
        status.controlPlaneReady = cp;
        status.conditions = [
          cond('Ready', done, cp ? 'MachineDeploymentsNotReady' : infra ? 'WaitingForControlPlane' : 'WaitingForInfrastructure', cp ? `0 of ${p.workers} worker machines are ready` : infra ? 'control plane machines are being created' : 'VSphereCluster is being provisioned'),
          cond('InfrastructureReady', infra, 'WaitingForInfrastructure', 'VSphereCluster is being provisioned'),
          cond('ControlPlaneInitialized', cp, 'WaitingForControlPlaneProviderInitialized', 'waiting for the first control plane machine'),
          cond('ControlPlaneReady', cp, 'WaitingForControlPlane', `0 of ${p.controlPlane} control plane machines are ready`),
          cond('TopologyReconciled', true),
        ];
      }
      status.observedGeneration = obj.metadata.generation;
      return { ...obj, metadata: { ...obj.metadata }, status };
    });
  }
}
