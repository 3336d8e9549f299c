import { asRecord, type KubeObject } from '../kube-object';
import type { PolicyContext } from '../policy-handler';
import type { QuotaSpec } from '../policy-spec.schema';
import type { SnapshotKind, Violation } from '../policy.types';
import { compareQuantities, parseQuantity, type Quantity } from '../quantity';

export function quotaKinds(): SnapshotKind[] {
  return ['Namespace', 'ResourceQuota'];
}

// ResourceQuota treats these bare names as the requests.* ones.
const ALIASES: Record<string, string> = { cpu: 'requests.cpu', memory: 'requests.memory', 'ephemeral-storage': 'requests.ephemeral-storage' };
const canonical = (resource: string) => ALIASES[resource] ?? resource;

export interface QuotaFinding {
  namespace: string;
  violations: Violation[];
}

export function quotaFindings({ spec, snapshot, governs }: PolicyContext<QuotaSpec>): QuotaFinding[] {
  const inScope = governs;
  const required = Object.entries(spec.hard).map(([resource, max]) => ({ resource, key: canonical(resource), max, maxQuantity: parseQuantity(max) }));
  const findings: QuotaFinding[] = [];
  for (const namespace of snapshot.activeNamespaces()) {
    if (!inScope(namespace)) continue;
    // A scoped quota only constrains some pods (e.g. BestEffort), so it does not cap the namespace.
    const quotas = snapshot.inNamespace('ResourceQuota', namespace).filter(isUnscoped);
    const violations: Violation[] = [];
    for (const { resource, key, max, maxQuantity } of required) {
      const tightest = tightestLimit(quotas, key);
      if (!tightest) {
        violations.push({
          kind: 'Namespace',
          name: namespace,
          message: `no ResourceQuota sets a hard limit on ${resource}; the policy requires one of at most ${max}`,
        });
      } else if (compareQuantities(tightest.quantity, maxQuantity) > 0) {
        violations.push({
          kind: 'ResourceQuota',
          namespace,
          name: tightest.quota.metadata.name,
          message: `hard limit on ${resource} is ${tightest.value}, above the policy maximum of ${max}`,
        });
      }
    }
    if (violations.length > 0) findings.push({ namespace, violations });
  }
  return findings;
}

export function evaluateQuota(context: PolicyContext<QuotaSpec>): Violation[] {
  return quotaFindings(context).flatMap((f) => f.violations);
}

function isUnscoped(quota: KubeObject): boolean {
  const spec = asRecord(quota.spec);
  return !(Array.isArray(spec?.scopes) && spec.scopes.length > 0) && !asRecord(spec?.scopeSelector);
}

/** Every quota is enforced, so the namespace's effective limit is the smallest one. */
function tightestLimit(quotas: KubeObject[], key: string): { quota: KubeObject; value: string; quantity: Quantity } | undefined {
  let best: { quota: KubeObject; value: string; quantity: Quantity } | undefined;
  for (const quota of quotas) {
    const hard = asRecord(asRecord(quota.spec)?.hard) ?? {};
    for (const [resource, value] of Object.entries(hard)) {
      if (canonical(resource) !== key) continue;
      let quantity: Quantity;
      try {
        quantity = parseQuantity(value as string);
      } catch {
        continue; // the API server would not have stored it; ignore rather than guess
      }
      if (!best || compareQuantities(quantity, best.quantity) < 0) best = { quota, value: String(value), quantity };
    }
  }
  return best;
}
