import type { PolicyContext } from '../policy-handler';
import type { EnforcementPlan, Violation } from '../policy.types';

/** For policy types no Kubernetes object can enforce (image registries, labels): report every violation. */
export function reportOnly<Spec>(evaluate: (context: PolicyContext<Spec>) => Violation[]) {
  return (context: PolicyContext<Spec>): EnforcementPlan => ({ apply: [], namespaceLabels: [], unenforceable: evaluate(context) });
}
