import { accessFindings, accessGrants, type AccessSubject } from '../evaluators/access.evaluator';
import type { KubeObject } from '../kube-object';
import { managedMetadata, managedObjectName } from '../managed-labels';
import type { PolicyContext } from '../policy-handler';
import type { AccessSpec } from '../policy-spec.schema';
import type { EnforcementPlan } from '../policy.types';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * One binding per (role, namespace?) that is missing a subject, owned by this policy and holding
 * every subject the policy requires for it; a missing namespace or ClusterRole cannot be fixed by
 * a binding (Flotilla does not create namespaces or roles) and is reported.
 */
export function planAccess(context: PolicyContext<AccessSpec>): EnforcementPlan {
  const { policyId, spec, snapshot } = context;
  const namespaces = spec.bindings.some((b) => b.namespaces) ? new Set(snapshot.activeNamespaces()) : new Set<string>();
  const apply: KubeObject[] = [];
  for (const grant of accessGrants(spec, snapshot)) {
    if (grant.missing.length === 0 || (grant.namespace && !namespaces.has(grant.namespace))) continue;
    const name = managedObjectName('access', policyId, grant.role);
    apply.push({
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: grant.namespace ? 'RoleBinding' : 'ClusterRoleBinding',
      metadata: managedMetadata(name, policyId, grant.namespace),
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: grant.role },
      subjects: grant.subjects.map(toRbacSubject),
    });
  }
  const unenforceable = accessFindings(context)
    .filter((f) => !f.enforceable)
    .map((f) => f.violation);
  return { apply, namespaceLabels: [], unenforceable };
}

function toRbacSubject(subject: AccessSubject) {
  return subject.kind === 'ServiceAccount'
    ? { kind: 'ServiceAccount', name: subject.name, namespace: subject.namespace }
    : { apiGroup: RBAC_GROUP, kind: subject.kind, name: subject.name };
}
