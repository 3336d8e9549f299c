import { effectiveNamespaceSelector, kindsOfRule, SNAPSHOT_KIND_RESOURCES } from '../evaluators/custom-match';
import { managedMetadata, managedObjectName } from '../managed-labels';
import type { PolicyContext } from '../policy-handler';
import type { CustomSpec } from '../policy-spec.schema';
import type { EnforcementPlan, KubeVersion } from '../policy.types';
import { evaluateCustom } from '../evaluators/custom.evaluator';

/** ValidatingAdmissionPolicy is GA (admissionregistration.k8s.io/v1) from Kubernetes 1.30. */
export const VAP_MINIMUM_VERSION: KubeVersion = { major: 1, minor: 30 };

/** The names of what a CUSTOM policy installs: one policy and one binding, named after the Flotilla policy. */
export function admissionPolicyNames(policyId: string): { policy: string; binding: string } {
  return { policy: managedObjectName('cel', policyId), binding: managedObjectName('cel', policyId, 'binding') };
}

/**
 * ENFORCE of a CUSTOM policy: on clusters ≥ 1.30 the native ValidatingAdmissionPolicy and its
 * binding (validationActions Deny), so the API server refuses new violations; what already
 * violates is still audited. Older clusters (or an unknown version) get audit only, said in a note.
 * Server-side apply of the same objects is a no-op, so planning them every scan is harmless.
 */
export function planCustom(context: PolicyContext<CustomSpec>): EnforcementPlan {
  const existing = evaluateCustom(context);
  const version = context.cluster?.kubernetesVersion;
  if (!version || !atLeast(version, VAP_MINIMUM_VERSION)) {
    const shown = version ? `v${version.major}.${version.minor}` : 'of unknown version';
    return {
      apply: [],
      namespaceLabels: [],
      unenforceable: existing,
      notes: [`audit only: the cluster is ${shown}, and ValidatingAdmissionPolicy needs Kubernetes 1.30 or newer`],
    };
  }
  return { apply: admissionPolicyObjects(context.policyId, context.spec), namespaceLabels: [], unenforceable: existing };
}

export function admissionPolicyObjects(policyId: string, spec: CustomSpec) {
  const names = admissionPolicyNames(policyId);
  const match = spec.matchConstraints;
  const resourceRules = match.resourceRules.map((rule) => {
    const kinds = kindsOfRule(rule);
    const groups = [...new Set(kinds.map((k) => SNAPSHOT_KIND_RESOURCES[k].group))];
    return {
      apiGroups: groups,
      apiVersions: rule.apiVersions ?? ['*'],
      operations: rule.operations ?? ['CREATE', 'UPDATE'],
      resources: [...new Set(kinds.map((k) => SNAPSHOT_KIND_RESOURCES[k].resource))],
    };
  });
  const vap = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: managedMetadata(names.policy, policyId),
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules, namespaceSelector: effectiveNamespaceSelector(match) },
      ...(spec.variables?.length ? { variables: spec.variables } : {}),
      validations: spec.validations,
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: managedMetadata(names.binding, policyId),
    spec: { policyName: names.policy, validationActions: ['Deny'] },
  };
  return [vap, binding];
}

export function atLeast(v: KubeVersion, min: KubeVersion): boolean {
  return v.major > min.major || (v.major === min.major && v.minor >= min.minor);
}
