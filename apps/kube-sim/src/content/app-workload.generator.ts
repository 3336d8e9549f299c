/**
 * Team workloads in the app namespaces: images from several registries (so IMAGE_REGISTRY policies
 * flag some), labels present and missing, and a spread of security contexts bounded by the
 * namespace's own Pod Security enforce label (admission would have refused the rest).
 */
import type { KubeObject } from './contract';
import { type ClusterContext, rngFor } from './cluster-context';
import type { AppNamespace } from './namespace.generator';
import type { SeededRandom } from './seeded-random';
import { BASELINE_PROFILES, PRIVILEGED_PROFILES, type SecurityProfile } from './security-profile';
import { type WorkloadBuilder, type WorkloadKind } from './workload.builder';

interface AppTemplate {
  name: string;
  kind: WorkloadKind;
  image: string;
  port?: number;
  /** Inherently needs host access (log shippers, node exporters). */
  host?: boolean;
}

const APP: Record<string, readonly AppTemplate[]> = {
  payments: [
    { name: 'payments-api', kind: 'Deployment', image: 'registry.example.com/payments/payments-api:2.14.3', port: 8080 },
    { name: 'payments-worker', kind: 'Deployment', image: 'registry.example.com/payments/payments-worker:2.14.3' },
    { name: 'ledger-db', kind: 'StatefulSet', image: 'docker.io/library/postgres:16.4', port: 5432 },
    { name: 'fraud-scorer', kind: 'Deployment', image: 'ghcr.io/acme/fraud-scorer:0.9.1', port: 9000 },
  ],
  checkout: [
    { name: 'checkout-web', kind: 'Deployment', image: 'ghcr.io/acme/checkout-web:1.8.0', port: 3000 },
    { name: 'cart-service', kind: 'Deployment', image: 'registry.example.com/checkout/cart-service:3.2.1', port: 8080 },
    { name: 'redis', kind: 'StatefulSet', image: 'docker.io/bitnami/redis:7.2.5', port: 6379 },
  ],
  web: [
    { name: 'frontend', kind: 'Deployment', image: 'docker.io/library/nginx:1.27', port: 80 },
    { name: 'static-assets', kind: 'Deployment', image: 'nginx:1.25-alpine', port: 80 },
    { name: 'bff', kind: 'Deployment', image: 'ghcr.io/acme/web-bff:4.1.0', port: 8080 },
  ],
  data: [
    { name: 'postgres', kind: 'StatefulSet', image: 'docker.io/library/postgres:15.8', port: 5432 },
    { name: 'kafka', kind: 'StatefulSet', image: 'quay.io/strimzi/kafka:0.43.0-kafka-3.8.0', port: 9092 },
    { name: 'etl-runner', kind: 'Deployment', image: 'registry.example.com/data/etl-runner:1.3.7' },
  ],
  monitoring: [
    { name: 'prometheus', kind: 'StatefulSet', image: 'quay.io/prometheus/prometheus:v2.54.1', port: 9090 },
    { name: 'grafana', kind: 'Deployment', image: 'grafana/grafana:11.2.0', port: 3000 },
    { name: 'node-exporter', kind: 'DaemonSet', image: 'quay.io/prometheus/node-exporter:v1.8.2', port: 9100, host: true },
    { name: 'alertmanager', kind: 'StatefulSet', image: 'quay.io/prometheus/alertmanager:v0.27.0', port: 9093 },
  ],
  logging: [
    { name: 'fluent-bit', kind: 'DaemonSet', image: 'cr.fluentbit.io/fluent/fluent-bit:3.1.7', port: 2020, host: true },
    { name: 'loki', kind: 'StatefulSet', image: 'docker.io/grafana/loki:3.1.1', port: 3100 },
  ],
  'ml-serving': [
    { name: 'model-server', kind: 'Deployment', image: 'registry.example.com/ml/model-server:0.12.0', port: 8501 },
    { name: 'feature-store', kind: 'Deployment', image: 'ghcr.io/acme/feature-store:2.0.3', port: 6566 },
  ],
  ci: [
    { name: 'runner', kind: 'Deployment', image: 'ghcr.io/actions/actions-runner:2.319.1' },
    { name: 'build-cache', kind: 'StatefulSet', image: 'docker.io/library/registry:2.8', port: 5000 },
  ],
};

const GENERIC: readonly AppTemplate[] = [
  { name: 'api', kind: 'Deployment', image: 'registry.example.com/{ns}/api:1.4.2', port: 8080 },
  { name: 'worker', kind: 'Deployment', image: 'registry.example.com/{ns}/worker:1.4.2' },
  { name: 'cache', kind: 'StatefulSet', image: 'docker.io/library/redis:7.4', port: 6379 },
  { name: 'gateway', kind: 'Deployment', image: 'docker.io/library/nginx:1.27', port: 80 },
  { name: 'sync-job-runner', kind: 'Deployment', image: 'ghcr.io/acme/sync-runner:0.3.0' },
];

const MEBIBYTES: Record<string, number> = { '64Mi': 64, '128Mi': 128, '256Mi': 256, '512Mi': 512, '1Gi': 1024, '2Gi': 2048 };

function profileFor(rng: SeededRandom, ns: AppNamespace, template: AppTemplate): SecurityProfile {
  if (ns.enforce === 'restricted') return 'restricted';
  if (template.host && ns.enforce !== 'baseline') return rng.pick(['privileged-host-path', 'privileged-host-network', 'privileged-host-pid'] as const);
  const roll = rng.next();
  if (ns.enforce === 'baseline') return roll < 0.45 ? 'restricted' : rng.pick(BASELINE_PROFILES);
  if (roll < 0.35) return 'restricted';
  if (roll < 0.75) return rng.pick(BASELINE_PROFILES);
  return rng.pick(PRIVILEGED_PROFILES);
}

export function addAppWorkloads(ctx: ClusterContext, builder: WorkloadBuilder, apps: AppNamespace[]): KubeObject[] {
  const rng = rngFor(ctx, 'apps');
  const extra: KubeObject[] = [];
  for (const ns of apps) {
    const catalog = APP[ns.name] ?? GENERIC;
    const picked = rng.sample(catalog, rng.int(2, Math.min(4, catalog.length)));
    for (const t of picked) {
      const image = t.image.replace('{ns}', ns.name);
      const labels: Record<string, string> = { app: t.name };
      // Label hygiene varies: some teams follow the recommended labels, some don't.
      if (rng.chance(0.6)) {
        labels['app.kubernetes.io/name'] = t.name;
        labels['app.kubernetes.io/part-of'] = ns.name;
      }
      if (ns.team && rng.chance(0.5)) labels.owner = ns.team;
      const ownSa = rng.chance(0.6);
      const ageOffsetSeconds = rng.int(86_400 * 2, 86_400 * 150);
      if (ownSa) extra.push(ctx.factory.object('v1', 'ServiceAccount', t.name, { namespace: ns.name, labels: { app: t.name }, ageOffsetSeconds }, {}));
      if (rng.chance(0.5)) {
        extra.push(ctx.factory.object('v1', 'ConfigMap', `${t.name}-config`, { namespace: ns.name, labels: { app: t.name }, ageOffsetSeconds }, {
          data: { LOG_LEVEL: rng.pick(['info', 'debug', 'warn']), 'app.properties': `service.name=${t.name}\nserver.port=${t.port ?? 8080}\nmetrics.enabled=true\n` },
        }));
      }
      const requests = rng.chance(0.8) ? { cpu: rng.pick(['50m', '100m', '250m', '500m']), memory: rng.pick(['64Mi', '128Mi', '256Mi', '512Mi', '1Gi']) } : undefined;
      // A memory limit is never below the request (the API would refuse the pod).
      const limitChoices = ['256Mi', '512Mi', '1Gi', '2Gi'].filter((m) => !requests || MEBIBYTES[m] >= MEBIBYTES[requests.memory]);
      const limits = rng.chance(0.5) ? { memory: rng.pick(limitChoices) } : undefined;
      const replicas = t.kind === 'StatefulSet' ? rng.pick([1, 3]) : rng.weighted([[1, 30], [2, 45], [3, 25]] as const);
      builder.add({
        kind: t.kind,
        name: t.name,
        namespace: ns.name,
        replicas,
        containers: [{ name: t.name, image, port: t.port }],
        profile: profileFor(rng, ns, t),
        labels,
        selector: { app: t.name },
        serviceAccountName: ownSa ? t.name : 'default',
        service: t.port ? { port: t.port === 80 ? 80 : t.port, targetPort: t.port, headless: t.kind === 'StatefulSet', type: t.name === 'frontend' || t.name === 'checkout-web' ? 'LoadBalancer' : 'ClusterIP' } : undefined,
        requests,
        limits,
        ageOffsetSeconds,
        unhealthyRate: 0.04,
      });
    }
  }
  return extra;
}
