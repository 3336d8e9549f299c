import { evaluatePodSecurity, formatPodSecurityForbidden } from '../pod-security/evaluate-pod-security';
import type { PolicyContext } from '../policy-handler';
import type { SecuritySpec } from '../policy-spec.schema';
import type { SnapshotKind, Violation } from '../policy.types';
import { POD_BEARING_KINDS, podSpecsOfKind } from '../workloads';

export function securityKinds(): SnapshotKind[] {
  // Namespace: enforcement labels them.
  return ['Namespace', ...POD_BEARING_KINDS];
}

/** Every Pod and pod template that the Pod Security admission controller would refuse at level:version. */
export function evaluateSecurity({ spec, snapshot, governs }: PolicyContext<SecuritySpec>): Violation[] {
  const inScope = governs;
  const violations: Violation[] = [];
  for (const kind of POD_BEARING_KINDS) {
    for (const object of snapshot.list(kind)) {
      const namespace = object.metadata.namespace ?? '';
      if (!inScope(namespace)) continue;
      for (const pod of podSpecsOfKind(kind, object)) {
        const result = evaluatePodSecurity(spec.level, spec.version, pod.metadata, pod.spec);
        if (result.allowed) continue;
        violations.push({
          kind,
          namespace,
          name: object.metadata.name,
          message: `${kind === 'Pod' ? 'pod' : 'pod template'} violates PodSecurity "${spec.level}:${spec.version}": ${formatPodSecurityForbidden(result)}`,
        });
      }
    }
  }
  return violations;
}
