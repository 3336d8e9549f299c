/** Namespaces that belong to Kubernetes or to Flotilla itself; exempt unless a spec names them. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'flotilla-system']);

export interface NamespaceScopeSpec {
  namespaces?: string[];
  excludeNamespaces?: string[];
}

/**
 * Which namespaces a policy covers: those it names (system ones included, because naming them is
 * the opt-in), otherwise every non-system namespace; excludeNamespaces always wins.
 */
export function namespaceScope(spec: NamespaceScopeSpec): (namespace: string) => boolean {
  const only = spec.namespaces ? new Set(spec.namespaces) : undefined;
  const excluded = new Set(spec.excludeNamespaces ?? []);
  return (namespace) => !excluded.has(namespace) && (only ? only.has(namespace) : !SYSTEM_NAMESPACES.has(namespace));
}
