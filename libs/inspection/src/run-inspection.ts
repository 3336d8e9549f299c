import { conformanceLiteChecks } from './conformance-lite.checks';
import { deprecatedApiChecks } from './deprecated-apis.checks';
import type { InspectionCheck, InspectionKind, InspectionSnapshot } from './inspection.types';
import { podSecurityChecks } from './pod-security.checks';
import { rbacRiskChecks } from './rbac-risk.checks';

/** Pure: the same snapshot gives the same checks in the same order. */
export function runInspection(kind: InspectionKind, snapshot: InspectionSnapshot): InspectionCheck[] {
  switch (kind) {
    case 'CONFORMANCE_LITE':
      return conformanceLiteChecks(snapshot);
    case 'RBAC_RISK':
      return rbacRiskChecks(snapshot);
    case 'DEPRECATED_APIS':
      return deprecatedApiChecks(snapshot);
    case 'POD_SECURITY':
      return podSecurityChecks(snapshot);
    default:
      throw new Error(`unknown inspection kind ${JSON.stringify(kind as string)}`);
  }
}

/** SKIPs count nowhere: a check that cannot apply neither passes nor fails. */
export function summarize(checks: InspectionCheck[]): { passed: number; failed: number; warnings: number } {
  return {
    passed: checks.filter((c) => c.outcome === 'PASS').length,
    failed: checks.filter((c) => c.outcome === 'FAIL').length,
    warnings: checks.filter((c) => c.outcome === 'WARN').length,
  };
}
