// The pure policy domain: spec validation, evaluation on a cluster snapshot, enforcement plans,
// and Pod Security Standards as the upstream admission controller evaluates them. No I/O.
export type { KubeObject } from './kube-object';
export type {
  ClusterFacts,
  ClusterSnapshot,
  KubeVersion,
  EnforcementPlan,
  PolicyDefinition,
  PolicyEvaluation,
  PolicyMode,
  PolicyType,
  SnapshotKind,
  Violation,
} from './policy.types';
export { PolicySpecError } from './policy-spec.errors';
export { validatePolicySpec } from './policy-spec.schema';
export { WORKSPACE_ID_ANNOTATION, evaluatePolicy, planEnforcement, snapshotKindsFor, workspaceNamespaceObject } from './evaluate-policy';
export { WHOLE_CLUSTER, governedNamespaces, governsClusterScoped, governsNamespace, missingNamespaces } from './namespace-governance';
export type { NamespaceReach } from './namespace-governance';
export { SYSTEM_NAMESPACES } from './namespace-scope';
export { FLOTILLA_MANAGED_LABELS, POLICY_ID_ANNOTATION } from './managed-labels';
export { ENFORCED_KINDS, MANAGED_LABEL_SELECTOR, objectsCreatedBy } from './enforcement/cleanup';
export type { EnforcedKind } from './enforcement/cleanup';
export { SNAPSHOT_KINDS } from './policy.types';
export { CelCompileError, compileCel } from './cel/cel-program';
export { admissionRequest, judgeObject } from './evaluators/custom.evaluator';
export { selectsLabels } from './evaluators/custom-match';
export type { LabelSelector } from './evaluators/custom-match';
export { admissionPolicyNames, VAP_MINIMUM_VERSION, atLeast } from './enforcement/custom.planner';
export type { CustomSpec } from './policy-spec.schema';
export { evaluatePodSecurity, highestPodSecurityLevel } from './pod-security/evaluate-pod-security';
export type { PodSecurityLevel, PodSecurityResult } from './pod-security/evaluate-pod-security';
export { podSpecsOf } from './workloads';
export { compactSnapshot, compactObject } from './snapshot-compaction';
export { evaluationInputDigest } from './evaluation-input';
export {
  EXCEPTION_EXPIRING_WITHIN_DAYS,
  applicableExceptions,
  exceptionCovers,
  exemptFromPlan,
  expiringExceptions,
  partitionViolations,
} from './exceptions/policy-exceptions';
export type { ExceptionRule, ExceptionScope, ExemptedViolation } from './exceptions/policy-exceptions';
