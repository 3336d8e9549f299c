import { asArray, asRecord, type KubeObject } from '../kube-object';
import type { PolicyContext } from '../policy-handler';
import type { NetworkSpec } from '../policy-spec.schema';
import type { SnapshotKind, Violation } from '../policy.types';

export type TrafficDirection = 'Ingress' | 'Egress';

export function networkKinds(): SnapshotKind[] {
  return ['Namespace', 'NetworkPolicy'];
}

export function requiredDirections(spec: NetworkSpec): TrafficDirection[] {
  return spec.defaultDeny === 'all' ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** In-scope namespaces and the directions in which nothing denies traffic by default. */
export function namespacesMissingDefaultDeny({ spec, snapshot, governs }: PolicyContext<NetworkSpec>): Array<{ namespace: string; missing: TrafficDirection[] }> {
  const inScope = governs;
  const directions = requiredDirections(spec);
  const result: Array<{ namespace: string; missing: TrafficDirection[] }> = [];
  for (const namespace of snapshot.activeNamespaces()) {
    if (!inScope(namespace)) continue;
    const policies = snapshot.inNamespace('NetworkPolicy', namespace);
    // Policies are additive: one denying ingress and another denying egress together deny all.
    const missing = directions.filter((d) => !policies.some((p) => deniesByDefault(p, d)));
    if (missing.length > 0) result.push({ namespace, missing });
  }
  return result;
}

export function evaluateNetwork(context: PolicyContext<NetworkSpec>): Violation[] {
  return namespacesMissingDefaultDeny(context).map(({ namespace, missing }) => ({
    kind: 'Namespace',
    name: namespace,
    message:
      `no default-deny NetworkPolicy for ${missing.map((d) => d.toLowerCase()).join(' and ')}: ` +
      `pods here ${missing.map((d) => (d === 'Ingress' ? 'accept traffic from' : 'can send traffic to')).join(' and ')} anywhere ` +
      `unless a NetworkPolicy selecting all pods (empty podSelector) lists ${missing.join(' and ')} in policyTypes with no rules`,
  }));
}

/** A policy that selects every pod, covers the direction and allows nothing in it. */
export function deniesByDefault(policy: KubeObject, direction: TrafficDirection): boolean {
  const spec = asRecord(policy.spec) ?? {};
  const selector = asRecord(spec.podSelector);
  const selectsAll = !selector || (isEmpty(selector.matchLabels) && asArray(selector.matchExpressions).length === 0);
  if (!selectsAll) return false;
  // The API server defaults policyTypes to Ingress, plus Egress when egress rules are present.
  const types: string[] = Array.isArray(spec.policyTypes) ? spec.policyTypes : ['Ingress', ...(spec.egress ? ['Egress'] : [])];
  const rules = asArray(direction === 'Ingress' ? spec.ingress : spec.egress);
  // Any rule allows some traffic (an empty rule allows all of it).
  return types.includes(direction) && rules.length === 0;
}

function isEmpty(value: unknown): boolean {
  const record = asRecord(value);
  return !record || Object.keys(record).length === 0;
}
