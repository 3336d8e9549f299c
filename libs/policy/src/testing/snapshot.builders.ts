// Small builders for hand-made snapshots in tests.
import type { KubeObject } from '../kube-object';
import type { ClusterSnapshot, PolicyDefinition, PolicyMode, PolicyType } from '../policy.types';

export function namespace(name: string, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) }, status: { phase: 'Active' } };
}

export function namespaces(...names: string[]): KubeObject[] {
  return names.map((n) => namespace(n));
}

export function pod(ns: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, ...metadata }, spec };
}

export function deployment(ns: string, name: string, podSpec: Record<string, unknown>, templateMetadata: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name }, ...templateMetadata }, spec: podSpec } },
  };
}

export function cronJob(ns: string, name: string, podSpec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: ns },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: podSpec } } } },
  };
}

/** A container that meets the restricted level. */
export function restrictedContainer(name: string, image = 'registry.example.com/app:1'): Record<string, unknown> {
  return { name, image, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } };
}

export function policy(type: PolicyType, spec: unknown, mode: PolicyMode = 'AUDIT', id = 'p1'): PolicyDefinition {
  return { id, name: `${type.toLowerCase()} policy`, type, mode, spec };
}

/** The pod-bearing kinds, empty, so evaluators that read them all can run on a partial snapshot. */
export function emptyWorkloads(): ClusterSnapshot {
  return { Pod: [], Deployment: [], StatefulSet: [], DaemonSet: [], ReplicaSet: [], Job: [], CronJob: [] };
}

/** Apply a plan's objects to a snapshot the way server-side apply would (create or replace by identity). */
export function applyToSnapshot(snapshot: ClusterSnapshot, objects: KubeObject[], labels: Array<{ namespace: string; labels: Record<string, string> }> = []): ClusterSnapshot {
  const next: ClusterSnapshot = { ...snapshot };
  for (const object of objects) {
    const kind = object.kind as keyof ClusterSnapshot;
    const list = [...(next[kind] ?? [])].filter((o) => !(o.metadata.name === object.metadata.name && o.metadata.namespace === object.metadata.namespace));
    next[kind] = [...list, structuredClone(object)];
  }
  if (labels.length > 0) {
    next.Namespace = (next.Namespace ?? []).map((ns) => {
      const extra = labels.find((l) => l.namespace === ns.metadata.name);
      return extra ? { ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, ...extra.labels } } } : ns;
    });
  }
  return next;
}
