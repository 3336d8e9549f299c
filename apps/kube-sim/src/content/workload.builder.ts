/**
 * Turns workload plans into the objects `kubectl get -o yaml` shows: the controller, its
 * ReplicaSet (for Deployments), its Pods scheduled on real node names, a Service and a
 * ServiceAccount. Shared by the app and system workload generators.
 */
import type { KubeObject } from './contract';
import { type ClusterContext, type SimNode } from './cluster-context';
import { type SeededRandom, imageDigest } from './seeded-random';
import { type SecurityProfile, securityShape } from './security-profile';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface ContainerPlan {
  name: string;
  image: string;
  port?: number;
  portName?: string;
  args?: string[];
}

export interface WorkloadPlan {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** Ignored for DaemonSets (one pod per eligible node). */
  replicas: number;
  containers: ContainerPlan[];
  profile: SecurityProfile;
  /** Labels on the controller and its pods (selector uses `app` or `k8s-app`). */
  labels: Record<string, string>;
  selector: Record<string, string>;
  serviceAccountName?: string;
  /** DaemonSets: also on control-plane nodes (system agents tolerate every taint). */
  everyNode?: boolean;
  /** Deployments/StatefulSets pinned to control-plane nodes. */
  controlPlaneOnly?: boolean;
  service?: { type?: 'ClusterIP' | 'LoadBalancer' | 'NodePort'; headless?: boolean; port: number; targetPort: number; name?: string; clusterIP?: string; objectName?: string };
  priorityClassName?: string;
  requests?: { cpu: string; memory: string };
  limits?: { cpu?: string; memory: string };
  /** Seconds after cluster creation. */
  ageOffsetSeconds: number;
  /** Share of this workload's pods that are not Running (0 for system workloads). */
  unhealthyRate?: number;
}

// Functions, not constants: every object gets its own copy (the server may edit objects in place).
const tolerationsDefault = () => [
  { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
  { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
];
const tolerationsAll = () => [{ operator: 'Exists' }];

type PodHealth = 'running' | 'pending' | 'failed';

export class WorkloadBuilder {
  readonly objects: KubeObject[] = [];
  private serviceIpNext = 20;
  private podIpNext = 0;
  private workerCursor: number;
  private readonly workers: SimNode[];
  private readonly serviceSubnet: string;

  constructor(private readonly ctx: ClusterContext, private readonly rng: SeededRandom) {
    this.workers = ctx.nodes.filter((n) => !n.controlPlane);
    if (this.workers.length === 0) this.workers = ctx.nodes.slice();
    this.workerCursor = rng.int(0, Math.max(0, this.workers.length - 1));
    this.serviceSubnet = serviceSubnetFor(ctx.spec.flavor);
  }

  /** A ClusterIP from the flavor's service range (10.96.0.0/12, 172.20.0.0/16, …). */
  nextServiceIP(): string {
    const n = this.serviceIpNext++;
    const third = (this.ctx.spec.flavor === 'gke' ? 224 : 0) + Math.floor(n / 250);
    return `${this.serviceSubnet}.${third}.${(n % 250) + 2}`;
  }

  add(plan: WorkloadPlan): void {
    const { factory } = this.ctx;
    const apiVersion = 'apps/v1';
    const template = this.podTemplate(plan);
    const ownerMeta = { namespace: plan.namespace, labels: plan.labels, ageOffsetSeconds: plan.ageOffsetSeconds, generation: 1, annotations: undefined as Record<string, string> | undefined };
    let pods: Array<{ name: string; node: SimNode | undefined; labels: Record<string, string>; owner: ReturnType<typeof factory.ownerRef> }> = [];
    const hash = factory.uid('TemplateHash', plan.name, plan.namespace).replace(/[^a-z0-9]/g, '');
    if (plan.kind === 'Deployment') {
      ownerMeta.annotations = { 'deployment.kubernetes.io/revision': '1' };
      const podTemplateHash = hash.replace(/[aeiou0-3]/g, '').slice(0, 10).padEnd(9, 'b').slice(0, 10);
      const rsName = `${plan.name}-${podTemplateHash}`;
      const podLabels = { ...template.labels, 'pod-template-hash': podTemplateHash };
      this.objects.push(factory.object(apiVersion, 'Deployment', plan.name, ownerMeta, {
        spec: {
          progressDeadlineSeconds: 600,
          replicas: plan.replicas,
          revisionHistoryLimit: 10,
          selector: { matchLabels: { ...plan.selector } },
          strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
          template: { metadata: { labels: { ...template.labels } }, spec: this.podTemplate(plan).spec },
        },
        status: this.controllerStatus(plan, 'Deployment'),
      }));
      this.objects.push(factory.object(apiVersion, 'ReplicaSet', rsName, {
        namespace: plan.namespace,
        labels: podLabels,
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(plan.replicas), 'deployment.kubernetes.io/max-replicas': String(plan.replicas + Math.ceil(plan.replicas / 4)), 'deployment.kubernetes.io/revision': '1' },
        ageOffsetSeconds: plan.ageOffsetSeconds,
        generation: 1,
        ownerReferences: [factory.ownerRef(apiVersion, 'Deployment', plan.name, plan.namespace)],
      }, {
        spec: { replicas: plan.replicas, selector: { matchLabels: { ...plan.selector, 'pod-template-hash': podTemplateHash } }, template: { metadata: { labels: { ...podLabels } }, spec: this.podTemplate(plan).spec } },
        status: { availableReplicas: plan.replicas, fullyLabeledReplicas: plan.replicas, observedGeneration: 1, readyReplicas: plan.replicas, replicas: plan.replicas },
      }));
      const owner = factory.ownerRef(apiVersion, 'ReplicaSet', rsName, plan.namespace);
      const nodes = plan.controlPlaneOnly ? this.ctx.nodes.filter((n) => n.controlPlane) : this.workers;
      for (let i = 0; i < plan.replicas; i++) pods.push({ name: `${rsName}-${this.rng.suffix()}`, node: this.schedule(nodes), labels: podLabels, owner });
    } else if (plan.kind === 'StatefulSet') {
      const revision = `${plan.name}-${hash.slice(0, 10)}`;
      const podLabels = { ...template.labels, 'controller-revision-hash': revision, 'apps.kubernetes.io/pod-index': '0' };
      this.objects.push(factory.object(apiVersion, 'StatefulSet', plan.name, ownerMeta, {
        spec: {
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          podManagementPolicy: 'OrderedReady',
          replicas: plan.replicas,
          revisionHistoryLimit: 10,
          selector: { matchLabels: { ...plan.selector } },
          serviceName: plan.name,
          template: { metadata: { labels: { ...template.labels } }, spec: this.podTemplate(plan).spec },
          updateStrategy: { rollingUpdate: { partition: 0 }, type: 'RollingUpdate' },
        },
        status: { ...this.controllerStatus(plan, 'StatefulSet'), currentRevision: revision, updateRevision: revision, collisionCount: 0 },
      }));
      const owner = factory.ownerRef(apiVersion, 'StatefulSet', plan.name, plan.namespace);
      for (let i = 0; i < plan.replicas; i++) {
        const name = `${plan.name}-${i}`;
        pods.push({ name, node: this.schedule(this.workers), labels: { ...podLabels, 'apps.kubernetes.io/pod-index': String(i), 'statefulset.kubernetes.io/pod-name': name }, owner });
      }
    } else {
      const controlPlanes = this.ctx.nodes.filter((n) => n.controlPlane);
      const nodes = plan.controlPlaneOnly && controlPlanes.length ? controlPlanes : plan.everyNode ? this.ctx.nodes : this.workers;
      const revision = hash.replace(/[^0-9a-f]/g, '').slice(0, 10).padEnd(10, '7');
      const podLabels = { ...template.labels, 'controller-revision-hash': revision, 'pod-template-generation': '1' };
      this.objects.push(factory.object(apiVersion, 'DaemonSet', plan.name, { ...ownerMeta, annotations: { 'deprecated.daemonset.template.generation': '1' } }, {
        spec: {
          revisionHistoryLimit: 10,
          selector: { matchLabels: { ...plan.selector } },
          template: { metadata: { labels: { ...template.labels } }, spec: this.podTemplate(plan).spec },
          updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
        },
        status: {
          currentNumberScheduled: nodes.length, desiredNumberScheduled: nodes.length, numberAvailable: nodes.filter((n) => n.ready).length,
          numberMisscheduled: 0, numberReady: nodes.filter((n) => n.ready).length, observedGeneration: 1, updatedNumberScheduled: nodes.length,
          ...(nodes.some((n) => !n.ready) ? { numberUnavailable: nodes.filter((n) => !n.ready).length } : {}),
        },
      }));
      const owner = factory.ownerRef(apiVersion, 'DaemonSet', plan.name, plan.namespace);
      pods = nodes.map((node) => ({ name: `${plan.name}-${this.rng.suffix()}`, node, labels: podLabels, owner }));
    }
    const controllers = this.objects.slice(-(plan.kind === 'Deployment' ? 2 : 1));
    let ready = 0;
    for (const p of pods) {
      let health: PodHealth = plan.unhealthyRate && this.rng.chance(plan.unhealthyRate) ? this.rng.pick(['pending', 'pending', 'failed'] as const) : 'running';
      // An evicted pod stays listed beside the replacement its ReplicaSet made; StatefulSets and
      // DaemonSets reuse the slot, so they only show pods stuck Pending.
      if (health === 'failed' && plan.kind !== 'Deployment') health = 'pending';
      if (!p.node) {
        // A cluster without nodes: the scheduler has nowhere to put the pod.
        this.objects.push(this.unschedulablePod(plan, p.name, p.labels, p.owner));
        continue;
      }
      this.objects.push(this.pod(plan, this.podTemplate(plan).spec, p.name, p.node, p.labels, p.owner, health));
      if (health === 'failed') {
        const node = this.schedule(this.workers) ?? p.node;
        const name = `${p.name.slice(0, p.name.lastIndexOf('-'))}-${this.rng.suffix()}`;
        this.objects.push(this.pod(plan, this.podTemplate(plan).spec, name, node, p.labels, p.owner, 'running'));
        if (node.ready) ready++;
      } else if (health === 'running' && p.node.ready) ready++;
    }
    for (const c of controllers) reconcileStatus(c, pods.length, ready);
    if (plan.service) this.addService(plan);
  }

  addService(plan: Pick<WorkloadPlan, 'name' | 'namespace' | 'labels' | 'selector' | 'service' | 'ageOffsetSeconds'>): void {
    const svc = plan.service;
    if (!svc) return;
    const clusterIP = svc.headless ? 'None' : svc.clusterIP ?? this.nextServiceIP();
    const type = svc.type ?? 'ClusterIP';
    const port: Record<string, unknown> = { name: svc.name ?? 'http', port: svc.port, protocol: 'TCP', targetPort: svc.targetPort };
    if (type !== 'ClusterIP') port.nodePort = 30000 + this.rng.int(0, 2767);
    const status = type === 'LoadBalancer' ? { loadBalancer: { ingress: [this.loadBalancerIngress()] } } : { loadBalancer: {} };
    this.objects.push(this.ctx.factory.object('v1', 'Service', svc.objectName ?? plan.name, { namespace: plan.namespace, labels: plan.labels, ageOffsetSeconds: plan.ageOffsetSeconds }, {
      spec: {
        clusterIP, clusterIPs: [clusterIP], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
        ports: [port], ...(Object.keys(plan.selector).length ? { selector: { ...plan.selector } } : {}), sessionAffinity: 'None', type,
        ...(type === 'LoadBalancer' ? { allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Cluster' } : {}),
      },
      status,
    }));
  }

  private loadBalancerIngress(): Record<string, string> {
    switch (this.ctx.spec.flavor) {
      case 'eks':
        return { hostname: `a${this.rng.hex(31)}-${this.rng.digits(9)}.${this.ctx.spec.region}.elb.amazonaws.com` };
      case 'gke':
        return { ip: `34.${this.rng.int(40, 160)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`, ipMode: 'VIP' };
      case 'aks':
        return { ip: `20.${this.rng.int(40, 250)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`, ipMode: 'VIP' };
      default:
        return { ip: `10.${this.rng.int(100, 199)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`, ipMode: 'VIP' };
    }
  }

  private schedule(nodes: SimNode[]): SimNode | undefined {
    const list = nodes.length ? nodes : this.ctx.nodes;
    if (!list.length) return undefined;
    this.workerCursor = (this.workerCursor + 1) % list.length;
    return list[this.workerCursor];
  }

  private controllerStatus(plan: WorkloadPlan, kind: 'Deployment' | 'StatefulSet'): Record<string, unknown> {
    const replicas = plan.replicas;
    const at = this.ctx.factory.timestamp(plan.ageOffsetSeconds + this.rng.int(30, 3_600));
    const base = { availableReplicas: replicas, observedGeneration: 1, readyReplicas: replicas, replicas, updatedReplicas: replicas };
    if (kind === 'StatefulSet') return { ...base, currentReplicas: replicas };
    return {
      ...base,
      conditions: [
        { lastTransitionTime: at, lastUpdateTime: at, message: 'Deployment has minimum availability.', reason: 'MinimumReplicasAvailable', status: 'True', type: 'Available' },
        { lastTransitionTime: at, lastUpdateTime: at, message: 'ReplicaSet has successfully progressed.', reason: 'NewReplicaSetAvailable', status: 'True', type: 'Progressing' },
      ],
    };
  }

  private podTemplate(plan: WorkloadPlan): { labels: Record<string, string>; spec: Record<string, unknown> } {
    const shape = securityShape(plan.profile, 1000 + (plan.name.length * 97) % 9000);
    const containers = plan.containers.map((c, i) => {
      const container: Record<string, unknown> = { name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent' };
      if (c.args) container.args = [...c.args];
      if (c.port) container.ports = [{ containerPort: c.port, name: c.portName ?? 'http', protocol: 'TCP' }];
      const resources: Record<string, unknown> = {};
      if (plan.requests) resources.requests = { ...plan.requests };
      if (plan.limits) resources.limits = { ...plan.limits };
      container.resources = resources;
      if (shape.container) container.securityContext = shape.container;
      container.terminationMessagePath = '/dev/termination-log';
      container.terminationMessagePolicy = 'File';
      if (i === 0 && shape.mounts.length) container.volumeMounts = shape.mounts;
      return container;
    });
    const spec: Record<string, unknown> = {
      containers,
      dnsPolicy: shape.podFields.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
      ...shape.podFields,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: shape.pod,
      serviceAccountName: plan.serviceAccountName ?? 'default',
      terminationGracePeriodSeconds: 30,
    };
    if (plan.priorityClassName) spec.priorityClassName = plan.priorityClassName;
    if (plan.everyNode) spec.tolerations = tolerationsAll();
    if (plan.controlPlaneOnly && plan.kind !== 'DaemonSet') {
      spec.nodeSelector = { 'node-role.kubernetes.io/control-plane': '' };
      spec.tolerations = [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }];
    }
    if (shape.volumes.length) spec.volumes = shape.volumes;
    return { labels: plan.labels, spec };
  }

  private unschedulablePod(plan: WorkloadPlan, name: string, labels: Record<string, string>, owner: ReturnType<ClusterContext['factory']['ownerRef']>): KubeObject {
    const offset = plan.ageOffsetSeconds + this.rng.int(5, 3_600);
    const at = this.ctx.factory.timestamp(offset);
    const template = this.podTemplate(plan).spec;
    return this.ctx.factory.object('v1', 'Pod', name, { namespace: plan.namespace, labels, ageOffsetSeconds: offset, ownerReferences: [owner] }, {
      spec: { ...template, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, serviceAccount: template.serviceAccountName, tolerations: (template.tolerations as unknown[]) ?? tolerationsDefault() },
      status: {
        conditions: [{ lastProbeTime: null, lastTransitionTime: at, message: '0/0 nodes are available: no nodes available to schedule pods.', reason: 'Unschedulable', status: 'False', type: 'PodScheduled' }],
        phase: 'Pending',
        qosClass: plan.requests ? 'Burstable' : 'BestEffort',
      },
    });
  }

  private pod(plan: WorkloadPlan, template: Record<string, unknown>, name: string, node: SimNode, labels: Record<string, string>,
    owner: ReturnType<ClusterContext['factory']['ownerRef']>, health: PodHealth): KubeObject {
    const { factory } = this.ctx;
    const offset = plan.ageOffsetSeconds + this.rng.int(5, 3_600);
    const started = factory.timestamp(offset);
    const ready = health === 'running' && node.ready;
    const hostNetwork = template.hostNetwork === true;
    const nodeIndex = this.ctx.nodes.indexOf(node);
    const podIP = hostNetwork ? node.internalIP : `192.168.${nodeIndex}.${(this.podIpNext++ % 250) + 2}`;
    const tokenVolume = `kube-api-access-${this.rng.suffix()}`;
    const spec: Record<string, unknown> = {
      ...template,
      containers: (template.containers as Array<Record<string, unknown>>).map((c) => ({
        ...c,
        volumeMounts: [...((c.volumeMounts as unknown[]) ?? []), { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: tokenVolume, readOnly: true }],
      })),
      enableServiceLinks: true,
      nodeName: node.name,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: plan.priorityClassName === 'system-node-critical' ? 2000001000 : plan.priorityClassName === 'system-cluster-critical' ? 2000000000 : 0,
      serviceAccount: template.serviceAccountName,
      tolerations: (template.tolerations as unknown[]) ?? tolerationsDefault(),
      volumes: [
        ...((template.volumes as unknown[]) ?? []),
        { name: tokenVolume, projected: { defaultMode: 420, sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
          { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
        ] } },
      ],
    };
    const containers = template.containers as Array<{ name: string; image: string }>;
    const containerStatuses = containers.map((c) => {
      const base = { containerID: `containerd://${this.rng.hex(64)}`, image: c.image, imageID: `${c.image.split(':')[0]}@sha256:${imageDigest(c.image)}`, lastState: {}, name: c.name };
      if (health === 'pending') {
        return { image: c.image, imageID: '', lastState: {}, name: c.name, ready: false, restartCount: 0, started: false,
          state: { waiting: { message: `Back-off pulling image "${c.image}"`, reason: 'ImagePullBackOff' } } };
      }
      if (health === 'failed') {
        return { ...base, ready: false, restartCount: 0, started: false, state: { terminated: { exitCode: 137, finishedAt: factory.timestamp(offset + 7_200), reason: 'OOMKilled', startedAt: started } } };
      }
      return { ...base, ready, restartCount: this.rng.chance(0.1) ? this.rng.int(1, 6) : 0, started: true, state: { running: { startedAt: started } } };
    });
    const cond = (type: string, status: boolean, extra: Record<string, string> = {}) => ({ lastProbeTime: null, lastTransitionTime: started, status: status ? 'True' : 'False', type, ...extra });
    const status: Record<string, unknown> = health === 'failed'
      ? { message: 'The node was low on resource: memory. ', phase: 'Failed', reason: 'Evicted', startTime: started }
      : {
        conditions: [
          cond('PodReadyToStartContainers', health === 'running'),
          cond('Initialized', true),
          cond('Ready', ready, ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]` }),
          cond('ContainersReady', ready, ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]` }),
          cond('PodScheduled', true),
        ],
        containerStatuses,
        hostIP: node.internalIP,
        hostIPs: [{ ip: node.internalIP }],
        phase: health === 'pending' ? 'Pending' : 'Running',
        podIP,
        podIPs: [{ ip: podIP }],
        qosClass: plan.limits && plan.requests ? 'Burstable' : plan.requests ? 'Burstable' : 'BestEffort',
        startTime: started,
      };
    if (health === 'failed') {
      status.hostIP = node.internalIP;
      status.containerStatuses = containerStatuses;
    }
    return factory.object('v1', 'Pod', name, { namespace: plan.namespace, labels, ageOffsetSeconds: offset, ownerReferences: [owner] }, { spec, status });
  }
}

/** Controller status as its controller would report it, given how many of its pods are ready. */
function reconcileStatus(controller: KubeObject, desired: number, ready: number): void {
  const status = controller.status as Record<string, unknown>;
  if (controller.kind === 'DaemonSet') {
    status.numberReady = ready;
    status.numberAvailable = ready;
    if (ready < desired) status.numberUnavailable = desired - ready;
    else delete status.numberUnavailable;
    return;
  }
  status.readyReplicas = ready;
  status.availableReplicas = ready;
  if (controller.kind !== 'Deployment') return;
  if (ready < desired) status.unavailableReplicas = desired - ready;
  // maxUnavailable 25% (rounded down): below that the Deployment loses minimum availability.
  if (ready < desired - Math.floor(desired / 4)) {
    const available = (status.conditions as Array<Record<string, string>>)[0];
    Object.assign(available, { message: 'Deployment does not have minimum availability.', reason: 'MinimumReplicasUnavailable', status: 'False' });
  }
}

export function serviceSubnetFor(flavor: string): string {
  switch (flavor) {
    case 'eks':
      return '172.20';
    case 'gke':
      return '34.118';
    case 'aks':
      return '10.0';
    default:
      return '10.96';
  }
}

/** kube-dns lives at .10 of the service range on every provider. */
export function dnsServiceIP(flavor: string): string {
  return flavor === 'gke' ? '34.118.224.10' : `${serviceSubnetFor(flavor)}.0.10`;
}

/** The `kubernetes` Service in default: the first address of the range. */
export function apiServiceIP(flavor: string): string {
  return flavor === 'gke' ? '34.118.224.1' : `${serviceSubnetFor(flavor)}.0.1`;
}
