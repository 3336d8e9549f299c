/**
 * NetworkPolicies, ResourceQuotas and LimitRanges in some app namespaces, so NETWORK and QUOTA
 * policies find both compliant and non-compliant namespaces.
 */
import type { KubeObject } from './contract';
import { type ClusterContext, rngFor } from './cluster-context';
import type { AppNamespace } from './namespace.generator';

const NETWORKING = 'networking.k8s.io/v1';

/** Pods in the namespace, for ResourceQuota status.used. */
function podsIn(objects: KubeObject[], namespace: string): KubeObject[] {
  return objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === namespace && (o.status as { phase?: string }).phase !== 'Failed');
}

function milliCpu(value: string): number {
  return value.endsWith('m') ? Number(value.slice(0, -1)) : Number(value) * 1000;
}

function mebibytes(value: string): number {
  if (value.endsWith('Gi')) return Number(value.slice(0, -2)) * 1024;
  if (value.endsWith('Mi')) return Number(value.slice(0, -2));
  return 0;
}

function quotaUsed(pods: KubeObject[]): Record<string, string> {
  let cpu = 0;
  let memory = 0;
  let limitMemory = 0;
  for (const pod of pods) {
    for (const c of (pod.spec as { containers: Array<{ resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }> }).containers) {
      cpu += milliCpu(c.resources?.requests?.cpu ?? '0');
      memory += mebibytes(c.resources?.requests?.memory ?? '0');
      limitMemory += mebibytes(c.resources?.limits?.memory ?? '0');
    }
  }
  return { 'limits.memory': `${limitMemory}Mi`, pods: String(pods.length), 'requests.cpu': `${cpu}m`, 'requests.memory': `${memory}Mi` };
}

export function generateNamespacePolicies(ctx: ClusterContext, apps: AppNamespace[], existing: KubeObject[]): KubeObject[] {
  const rng = rngFor(ctx, 'namespace-policies');
  const { factory } = ctx;
  const objects: KubeObject[] = [];
  for (const ns of apps) {
    const age = rng.int(86_400 * 3, 86_400 * 150);
    const at = { namespace: ns.name, labels: {} as Record<string, string>, ageOffsetSeconds: age };
    const deny = rng.weighted<'none' | 'ingress' | 'all'>([['none', 50], ['ingress', 30], ['all', 20]]);
    if (deny !== 'none') {
      objects.push(factory.object(NETWORKING, 'NetworkPolicy', deny === 'all' ? 'default-deny-all' : 'default-deny-ingress', at, {
        spec: { podSelector: {}, policyTypes: deny === 'all' ? ['Ingress', 'Egress'] : ['Ingress'] },
      }));
      if (deny === 'all') {
        objects.push(factory.object(NETWORKING, 'NetworkPolicy', 'allow-dns-egress', at, {
          spec: {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{
              to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
              ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
            }],
          },
        }));
      }
    }
    // Allow rules appear with or without a default deny (a common half-done setup).
    if (deny !== 'none' || rng.chance(0.25)) {
      const apps = existing.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === ns.name).map((o) => o.metadata.name);
      const target = apps.length ? rng.pick(apps) : 'api';
      objects.push(factory.object(NETWORKING, 'NetworkPolicy', `allow-ingress-${target}`, at, {
        spec: {
          podSelector: { matchLabels: { app: target } },
          policyTypes: ['Ingress'],
          ingress: [{
            from: [
              { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': ns.name } } },
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
            ],
            ports: [{ port: 8080, protocol: 'TCP' }],
          }],
        },
      }));
    }
    if (rng.chance(0.4)) {
      const hard = {
        'limits.memory': rng.pick(['8Gi', '16Gi', '32Gi']),
        pods: rng.pick(['20', '50', '100']),
        'requests.cpu': rng.pick(['2', '4', '8']),
        'requests.memory': rng.pick(['4Gi', '8Gi', '16Gi']),
      };
      objects.push(factory.object('v1', 'ResourceQuota', 'compute-resources', at, {
        spec: { hard },
        status: { hard: { ...hard }, used: quotaUsed(podsIn(existing, ns.name)) },
      }));
    }
    if (rng.chance(0.3)) {
      objects.push(factory.object('v1', 'LimitRange', 'default-limits', at, {
        spec: {
          limits: [{
            default: { cpu: '500m', memory: '512Mi' },
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            max: { cpu: '2', memory: '4Gi' },
            type: 'Container',
          }],
        },
      }));
    }
  }
  return objects;
}
