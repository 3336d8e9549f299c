import type { InspectionCheck, InspectionSnapshot, Provider, Severity, CheckOutcome } from './inspection.types';
import { SYSTEM_NAMESPACES } from './kube-object';

type Level = 'privileged' | 'baseline' | 'restricted';

const VERDICT: Record<Level, { outcome: CheckOutcome; severity: Severity; meaning: string }> = {
  restricted: { outcome: 'PASS', severity: 'LOW', meaning: 'every pod meets the restricted profile' },
  baseline: { outcome: 'WARN', severity: 'MEDIUM', meaning: 'its pods meet baseline but not restricted' },
  privileged: { outcome: 'FAIL', severity: 'HIGH', meaning: 'some pods need the privileged profile (they meet neither baseline nor restricted)' },
};

function isSystemNamespace(ns: string, provider: Provider): boolean {
  return SYSTEM_NAMESPACES.has(ns) || (provider === 'OPENSHIFT' && (ns === 'openshift' || ns.startsWith('openshift-')));
}

/** One check per non-system namespace, by name: the highest Pod Security level all its pods meet. */
export function podSecurityChecks(s: InspectionSnapshot): InspectionCheck[] {
  if (!s.podSecurity) {
    return [{ id: 'pod-security', title: 'Pod Security levels', severity: 'MEDIUM', outcome: 'SKIP', message: 'Pod Security levels were not computed for this cluster.' }];
  }
  const namespaces = s.podSecurity.namespaces.filter((n) => !isSystemNamespace(n.namespace, s.provider)).sort((a, b) => a.namespace.localeCompare(b.namespace));
  if (namespaces.length === 0) {
    return [{ id: 'pod-security', title: 'Pod Security levels', severity: 'LOW', outcome: 'PASS', message: 'There are no non-system namespaces to assess.' }];
  }
  return namespaces.map((n) => {
    const v = VERDICT[n.highestLevel];
    const label = n.enforceLabel
      ? `pod-security.kubernetes.io/enforce=${n.enforceLabel}`
      : 'no pod-security.kubernetes.io/enforce label';
    return {
      id: `pod-security.${n.namespace}`,
      title: `Pod Security level of namespace ${n.namespace}`,
      severity: v.severity,
      outcome: v.outcome,
      message: `Namespace ${n.namespace} meets ${n.highestLevel}: ${v.meaning}; ${label}.`,
    };
  });
}
