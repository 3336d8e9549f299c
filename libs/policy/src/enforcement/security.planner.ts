import { evaluateSecurity } from '../evaluators/security.evaluator';
import type { PolicyContext } from '../policy-handler';
import type { SecuritySpec } from '../policy-spec.schema';
import type { EnforcementPlan } from '../policy.types';

export const ENFORCE_LEVEL_LABEL = 'pod-security.kubernetes.io/enforce';
export const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';

const STRICTNESS: Record<string, number> = { privileged: 0, baseline: 1, restricted: 2 };

/**
 * Label each covered namespace so the admission controller refuses new violating pods; a namespace
 * already enforcing a stricter level is left alone. Pods that already run are not evicted, so
 * every current violation is reported as unenforceable.
 */
export function planSecurity(context: PolicyContext<SecuritySpec>): EnforcementPlan {
  const { spec, snapshot, governs } = context;
  const inScope = governs;
  const active = new Set(snapshot.activeNamespaces());
  const namespaceLabels: EnforcementPlan['namespaceLabels'] = [];
  for (const namespace of snapshot.list('Namespace')) {
    const name = namespace.metadata.name;
    if (!active.has(name) || !inScope(name)) continue;
    const labels = namespace.metadata.labels ?? {};
    const current = STRICTNESS[labels[ENFORCE_LEVEL_LABEL] ?? ''] ?? -1;
    const wanted = STRICTNESS[spec.level];
    const currentVersion = labels[ENFORCE_VERSION_LABEL] ?? 'latest';
    if (current > wanted || (current === wanted && currentVersion === spec.version)) continue;
    namespaceLabels.push({ namespace: name, labels: { [ENFORCE_LEVEL_LABEL]: spec.level, [ENFORCE_VERSION_LABEL]: spec.version } });
  }
  return { apply: [], namespaceLabels, unenforceable: evaluateSecurity(context) };
}
