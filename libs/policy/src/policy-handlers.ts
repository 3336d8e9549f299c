import { planAccess } from './enforcement/access.planner';
import { planCustom } from './enforcement/custom.planner';
import { customKinds, evaluateCustom } from './evaluators/custom.evaluator';
import { planNetwork } from './enforcement/network.planner';
import { planQuota } from './enforcement/quota.planner';
import { reportOnly } from './enforcement/report-only.planner';
import { planSecurity } from './enforcement/security.planner';
import { accessKinds, evaluateAccess } from './evaluators/access.evaluator';
import { evaluateImageRegistry, imageRegistryKinds } from './evaluators/image-registry.evaluator';
import { evaluateLabels, labelsKinds } from './evaluators/labels.evaluator';
import { evaluateNetwork, networkKinds } from './evaluators/network.evaluator';
import { evaluateQuota, quotaKinds } from './evaluators/quota.evaluator';
import { evaluateSecurity, securityKinds } from './evaluators/security.evaluator';
import type { PolicyHandler } from './policy-handler';
import type { PolicySpecByType } from './policy-spec.schema';
import type { PolicyType } from './policy.types';

/** One handler per policy type; the mapped type makes a missing type a compile error. */
export const POLICY_HANDLERS: { [T in PolicyType]: PolicyHandler<PolicySpecByType[T]> } = {
  ACCESS: { kinds: accessKinds, evaluate: evaluateAccess, plan: planAccess },
  NETWORK: { kinds: networkKinds, evaluate: evaluateNetwork, plan: planNetwork },
  QUOTA: { kinds: quotaKinds, evaluate: evaluateQuota, plan: planQuota },
  IMAGE_REGISTRY: { kinds: imageRegistryKinds, evaluate: evaluateImageRegistry, plan: reportOnly(evaluateImageRegistry) },
  SECURITY: { kinds: securityKinds, evaluate: evaluateSecurity, plan: planSecurity },
  LABELS: { kinds: labelsKinds, evaluate: evaluateLabels, plan: reportOnly(evaluateLabels) },
  CUSTOM: { kinds: customKinds, evaluate: evaluateCustom, plan: planCustom },
};
