// The pure policy domain: spec validation, evaluation on a cluster snapshot, enforcement plans,
// and Pod Security Standards as the upstream admission controller evaluates them. No I/O.
export type { KubeObject } from './kube-object';
export type {
  ClusterSnapshot,
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
export { evaluatePolicy, planEnforcement, snapshotKindsFor } from './evaluate-policy';
export { FLOTILLA_MANAGED_LABELS, POLICY_ID_ANNOTATION } from './managed-labels';
export { ENFORCED_KINDS, MANAGED_LABEL_SELECTOR, objectsCreatedBy } from './enforcement/cleanup';
export { evaluatePodSecurity, highestPodSecurityLevel } from './pod-security/evaluate-pod-security';
export type { PodSecurityLevel, PodSecurityResult } from './pod-security/evaluate-pod-security';
export { podSpecsOf } from './workloads';
export {
  EXCEPTION_EXPIRING_WITHIN_DAYS,
  applicableExceptions,
  exceptionCovers,
  exemptFromPlan,
  expiringExceptions,
  partitionViolations,
} from './exceptions/policy-exceptions';
export type { ExceptionRule, ExceptionScope, ExemptedViolation } from './exceptions/policy-exceptions';
