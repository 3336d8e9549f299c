import { asArray, asRecord } from '../kube-object';
import { imageAllowed, normaliseImage } from '../image-reference';
import type { PolicyContext } from '../policy-handler';
import type { ImageRegistrySpec } from '../policy-spec.schema';
import type { SnapshotKind, Violation } from '../policy.types';
import { POD_BEARING_KINDS, podSpecsOfKind } from '../workloads';

export function imageRegistryKinds(): SnapshotKind[] {
  return [...POD_BEARING_KINDS];
}

const CONTAINER_LISTS = [
  ['initContainers', 'init container'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeral container'],
] as const;

export function evaluateImageRegistry({ spec, snapshot, governs }: PolicyContext<ImageRegistrySpec>): Violation[] {
  const inScope = governs;
  const allowed = spec.allowedRegistries.join(', ');
  const violations: Violation[] = [];
  for (const kind of POD_BEARING_KINDS) {
    for (const object of snapshot.list(kind)) {
      const namespace = object.metadata.namespace ?? '';
      if (!inScope(namespace)) continue;
      for (const { spec: podSpec } of podSpecsOfKind(kind, object)) {
        for (const [field, label] of CONTAINER_LISTS) {
          for (const container of asArray(podSpec[field])) {
            const image = asRecord(container)?.image;
            if (typeof image !== 'string' || image.trim() === '') continue;
            const normalised = normaliseImage(image);
            if (imageAllowed(normalised, spec.allowedRegistries)) continue;
            violations.push({
              kind,
              namespace,
              name: object.metadata.name,
              message:
                `${label} "${String(asRecord(container)?.name ?? '')}" uses image "${image}"` +
                (normalised.reference !== image ? ` (${normalised.reference})` : '') +
                ` from registry ${normalised.registry}, which is not allowed (allowed: ${allowed})`,
            });
          }
        }
      }
    }
  }
  return violations;
}
