/**
 * Stands in for the Deployment and StatefulSet controllers: a written workload reports every
 * replica updated, ready and available at once (no Pods are created), so `kubectl rollout status`
 * and `kubectl wait --for=condition=Available` complete.
 */
import type { KubeObject } from '../content/contract';

const REPLICATED = new Set(['apps/deployments', 'apps/statefulsets']);

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function settledStatus(storeKey: string, obj: KubeObject): KubeObject {
  if (!REPLICATED.has(storeKey)) return obj;
  const spec = (obj.spec ?? {}) as { replicas?: number };
  const replicas = spec.replicas ?? 1;
  const status: Record<string, unknown> = {
    observedGeneration: obj.metadata.generation ?? 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  };
  if (storeKey === 'apps/deployments') {
    const t = now();
    status.conditions = [
      { type: 'Available', status: 'True', lastUpdateTime: t, lastTransitionTime: t, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
      { type: 'Progressing', status: 'True', lastUpdateTime: t, lastTransitionTime: t, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${obj.metadata.name}" has successfully progressed.` },
    ];
  } else {
    status.currentReplicas = replicas;
    status.currentRevision = `${obj.metadata.name}-1`;
    status.updateRevision = `${obj.metadata.name}-1`;
  }
  return { ...obj, status };
}
