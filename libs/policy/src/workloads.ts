import { asRecord, type KubeObject } from './kube-object';
import type { SnapshotKind } from './policy.types';

/** Kinds whose objects run pods, directly or through a pod template. */
export const POD_BEARING_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const satisfies readonly SnapshotKind[];

export interface PodSpecOf {
  metadata?: any;
  spec: any;
}

/** Pod → its spec; Deployment/StatefulSet/DaemonSet/ReplicaSet/Job → spec.template; CronJob → spec.jobTemplate.spec.template. */
export function podSpecsOf(object: KubeObject): PodSpecOf[] {
  // Items of a list response carry no kind; recognise them by shape rather than find nothing.
  return podSpecsOfKind(object.kind || kindFromShape(object), object);
}

function kindFromShape(object: KubeObject): string {
  const spec = asRecord(object.spec);
  if (asRecord(spec?.jobTemplate)) return 'CronJob';
  if (asRecord(spec?.template)) return 'Deployment'; // any pod-template workload reads the same way
  if (Array.isArray(spec?.containers)) return 'Pod';
  return '';
}

/** As podSpecsOf, for objects from a list response (whose items carry no kind). */
export function podSpecsOfKind(kind: string, object: KubeObject): PodSpecOf[] {
  const spec = asRecord(object.spec);
  let template: Record<string, any> | undefined;
  switch (kind) {
    case 'Pod':
      return spec ? [{ metadata: object.metadata, spec }] : [];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      template = asRecord(spec?.template);
      break;
    case 'CronJob':
      template = asRecord(asRecord(asRecord(spec?.jobTemplate)?.spec)?.template);
      break;
    default:
      return [];
  }
  const podSpec = asRecord(template?.spec);
  return podSpec ? [{ metadata: asRecord(template?.metadata) ?? {}, spec: podSpec }] : [];
}
