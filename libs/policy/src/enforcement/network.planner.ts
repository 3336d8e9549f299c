import { namespacesMissingDefaultDeny, requiredDirections } from '../evaluators/network.evaluator';
import { managedMetadata, managedObjectName } from '../managed-labels';
import type { PolicyContext } from '../policy-handler';
import type { NetworkSpec } from '../policy-spec.schema';
import type { EnforcementPlan } from '../policy.types';

/** A default-deny NetworkPolicy owned by this policy in each namespace that lacks one. */
export function planNetwork(context: PolicyContext<NetworkSpec>): EnforcementPlan {
  const name = managedObjectName('default-deny', context.policyId);
  const policyTypes = requiredDirections(context.spec);
  return {
    apply: namespacesMissingDefaultDeny(context).map(({ namespace }) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: managedMetadata(name, context.policyId, namespace),
      spec: { podSelector: {}, policyTypes },
    })),
    namespaceLabels: [],
    unenforceable: [],
  };
}
