import { highestPodSecurityLevel, podSpecsOf } from '@flotilla/policy';
import type { InspectionSnapshot, KubeObject } from './inspection.types';

export type NamespacePodSecurity = NonNullable<InspectionSnapshot['podSecurity']>['namespaces'][number];

/**
 * The highest Pod Security level all pods of each namespace meet (upstream semantics, libs/policy),
 * and its enforce label: what the POD_SECURITY checks judge, computed from namespaces and pods.
 */
export function podSecurityLevels(namespaces: KubeObject[], pods: KubeObject[]): NamespacePodSecurity[] {
  const byNamespace = new Map<string, Array<{ metadata?: unknown; spec: unknown }>>();
  for (const ns of namespaces) byNamespace.set(ns.metadata.name, []);
  for (const pod of pods) {
    const ns = pod.metadata.namespace ?? 'default';
    const specs = podSpecsOf({ ...pod, kind: pod.kind ?? 'Pod' } as never);
    let list = byNamespace.get(ns);
    if (!list) byNamespace.set(ns, (list = []));
    for (const p of specs) list.push({ metadata: p.metadata, spec: p.spec });
  }
  const labels = new Map(namespaces.map((ns) => [ns.metadata.name, ns.metadata.labels?.['pod-security.kubernetes.io/enforce']]));
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, specs]) => {
      const level = highestPodSecurityLevel('latest', specs as never);
      const enforceLabel = labels.get(namespace);
      return enforceLabel ? { namespace, highestLevel: level, enforceLabel } : { namespace, highestLevel: level };
    });
}
