import { quotaFindings } from '../evaluators/quota.evaluator';
import { managedMetadata, managedObjectName } from '../managed-labels';
import type { PolicyContext } from '../policy-handler';
import type { QuotaSpec } from '../policy-spec.schema';
import type { EnforcementPlan } from '../policy.types';

/**
 * A ResourceQuota owned by this policy, with exactly the policy's limits, in each namespace that
 * is not capped enough. Kubernetes enforces every quota, so adding ours caps the namespace without
 * touching (or deleting) quotas others created.
 */
export function planQuota(context: PolicyContext<QuotaSpec>): EnforcementPlan {
  const name = managedObjectName('quota', context.policyId);
  return {
    apply: quotaFindings(context).map(({ namespace }) => ({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: managedMetadata(name, context.policyId, namespace),
      spec: { hard: { ...context.spec.hard } },
    })),
    namespaceLabels: [],
    unenforceable: [],
  };
}
