/**
 * Namespaces: the four every cluster has, the provider's system namespaces, and 3–8 app namespaces
 * with a realistic mix of owner/team and Pod Security labels (some missing on purpose, so LABELS and
 * SECURITY policies find something).
 */
import type { Flavor, KubeObject } from './contract';
import { type ClusterContext, rngFor } from './cluster-context';
import type { PssLevel } from './security-profile';

export const CORE_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export const PROVIDER_NAMESPACES: Readonly<Record<Flavor, readonly string[]>> = {
  vsphere: ['secretgen-controller', 'tkg-system', 'vmware-system-antrea', 'vmware-system-auth', 'vmware-system-cloud-provider', 'vmware-system-csi', 'vmware-system-tkg'],
  management: ['capi-kubeadm-bootstrap-system', 'capi-kubeadm-control-plane-system', 'capi-system', 'svc-tmc-c8', 'vmware-system-auth', 'vmware-system-capw', 'vmware-system-csi', 'vmware-system-tkg', 'vmware-system-vmop'],
  eks: ['amazon-cloudwatch', 'amazon-guardduty'],
  gke: ['gke-managed-cim', 'gke-managed-system', 'gmp-public', 'gmp-system'],
  aks: ['app-routing-system', 'calico-system', 'tigera-operator'],
  generic: ['calico-system', 'cert-manager', 'ingress-nginx', 'tigera-operator'],
};

export const APP_NAMESPACE_POOL = ['payments', 'checkout', 'web', 'data', 'monitoring', 'team-a', 'team-b', 'orders', 'search', 'identity', 'logging', 'ml-serving', 'batch', 'ci'];

const OWNERS: Record<string, string> = {
  payments: 'payments-team', checkout: 'checkout-team', web: 'web-platform', data: 'data-eng', monitoring: 'sre', 'team-a': 'team-a',
  'team-b': 'team-b', orders: 'orders-team', search: 'search-team', identity: 'iam-team', logging: 'sre', 'ml-serving': 'ml-platform', batch: 'data-eng', ci: 'devex',
};

export interface AppNamespace {
  name: string;
  /** The namespace's pod-security.kubernetes.io/enforce label, when it has one. */
  enforce?: PssLevel;
  team?: string;
}

function namespaceObject(ctx: ClusterContext, name: string, labels: Record<string, string>, ageOffsetSeconds: number, annotations?: Record<string, string>): KubeObject {
  return ctx.factory.object('v1', 'Namespace', name, { labels: { 'kubernetes.io/metadata.name': name, ...labels }, annotations, ageOffsetSeconds }, {
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
}

export function chooseAppNamespaces(ctx: ClusterContext): AppNamespace[] {
  const rng = rngFor(ctx, 'namespaces');
  const count = ctx.spec.flavor === 'management' ? rng.int(1, 2) : rng.int(3, 8);
  return rng.sample(APP_NAMESPACE_POOL, count).map((name) => {
    const enforce = rng.weighted<PssLevel | undefined>([[undefined, 55], ['baseline', 20], ['restricted', 15], ['privileged', 10]]);
    const team = rng.chance(0.7) ? OWNERS[name] : undefined;
    return { name, enforce, team };
  });
}

export function generateNamespaces(ctx: ClusterContext, apps: AppNamespace[], extra: readonly string[] = []): KubeObject[] {
  const rng = rngFor(ctx, 'namespace-labels');
  const objects: KubeObject[] = [];
  for (const name of CORE_NAMESPACES) objects.push(namespaceObject(ctx, name, {}, 0));
  for (const name of PROVIDER_NAMESPACES[ctx.spec.flavor]) objects.push(namespaceObject(ctx, name, {}, rng.int(60, 900)));
  for (const name of extra) objects.push(namespaceObject(ctx, name, { 'vSphereClusterID': `domain-c${rng.int(8, 2000)}` }, rng.int(600, 3_600)));
  for (const ns of apps) {
    const labels: Record<string, string> = {};
    if (ns.team) {
      // Half the owned namespaces say so with both labels, the rest only one.
      labels.team = ns.team;
      if (rng.chance(0.6)) labels.owner = ns.team;
    }
    if (ns.enforce) {
      labels['pod-security.kubernetes.io/enforce'] = ns.enforce;
      if (rng.chance(0.5)) labels['pod-security.kubernetes.io/enforce-version'] = rng.pick(['latest', 'v1.29', 'v1.30']);
      if (ns.enforce !== 'restricted' && rng.chance(0.4)) labels['pod-security.kubernetes.io/warn'] = 'restricted';
    }
    objects.push(namespaceObject(ctx, ns.name, labels, rng.int(86_400, 86_400 * 120)));
  }
  return objects;
}

/** Every namespace gets a `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap, as real ones do. */
export function namespaceDefaults(ctx: ClusterContext, namespaces: KubeObject[]): KubeObject[] {
  const objects: KubeObject[] = [];
  const ca = rootCaPlaceholder(ctx);
  for (const ns of namespaces) {
    const name = ns.metadata.name;
    const at = { namespace: name, ageOffsetSeconds: 0 };
    objects.push(ctx.factory.object('v1', 'ServiceAccount', 'default', { ...at }, {}));
    objects.push(ctx.factory.object('v1', 'ConfigMap', 'kube-root-ca.crt', { ...at, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, { data: { 'ca.crt': ca } }));
  }
  return objects;
}

/** A stand-in bundle (not a parseable certificate): the real CA belongs to the server, which serves TLS. */
function rootCaPlaceholder(ctx: ClusterContext): string {
  const body = `${ctx.factory.uid('CA', ctx.spec.name)}${ctx.factory.uid('CA2', ctx.spec.name)}`.replace(/-/g, '');
  return `-----BEGIN CERTIFICATE-----\nMIIC${body}\n-----END CERTIFICATE-----\n`;
}
