import { checkKubeletSkew, parseKubeVersion } from '@flotilla/upgrade';
import type { InspectionCheck, InspectionSnapshot, KubeObject, Provider } from './inspection.types';
import { condition, field, listOf, num, ref } from './kube-object';

const MANAGED_CONTROL_PLANE: ReadonlySet<Provider> = new Set(['EKS', 'GKE', 'AKS']);
const CONTROL_PLANE_COMPONENTS = ['kube-apiserver', 'etcd', 'kube-scheduler', 'kube-controller-manager'];

export function conformanceLiteChecks(s: InspectionSnapshot): InspectionCheck[] {
  return [apiHealth(s), nodesReady(s), systemWorkloads(s), controlPlaneComponents(s), versionSkew(s)];
}

function apiHealth(s: InspectionSnapshot): InspectionCheck {
  const base = { id: 'conformance.api-health', title: 'API server health endpoints', severity: 'CRITICAL' as const };
  const h = s.health;
  const probed = h ? (['healthz', 'livez', 'readyz'] as const).filter((k) => h[k] !== undefined) : [];
  if (!h || probed.length === 0) return { ...base, outcome: 'SKIP', message: 'The health endpoints were not probed.' };
  const failing = probed.filter((k) => h[k] === false).map((k) => `/${k}`);
  if (failing.length === 0) return { ...base, outcome: 'PASS', message: `${probed.map((k) => `/${k}`).join(', ')} report ok.` };
  // readyz?verbose lists each check as "[+]name ok" or "[-]name failed: reason withheld".
  const failedChecks = (h.readyzVerbose ?? '')
    .split('\n')
    .filter((l) => l.startsWith('[-]'))
    .map((l) => l.slice(3).trim());
  const detail = failedChecks.length > 0 ? `; readyz reports: ${listOf(failedChecks)}` : '';
  return { ...base, outcome: 'FAIL', message: `${failing.join(', ')} ${failing.length === 1 ? 'does' : 'do'} not report ok${detail}.` };
}

function nodesReady(s: InspectionSnapshot): InspectionCheck {
  const base = { id: 'conformance.nodes-ready', title: 'All nodes Ready', severity: 'HIGH' as const };
  if (!s.nodes) return { ...base, outcome: 'SKIP', message: 'Nodes were not fetched.' };
  if (s.nodes.length === 0) return { ...base, outcome: 'WARN', message: 'The cluster has no nodes registered: nothing can be scheduled.' };
  const notReady = s.nodes
    .filter((n) => condition(n, 'Ready')?.status !== 'True')
    .map((n) => {
      const c = condition(n, 'Ready');
      return c ? `${n.metadata.name} (Ready=${c.status}${c.reason ? `, ${c.reason}` : ''})` : `${n.metadata.name} (no Ready condition)`;
    });
  if (notReady.length === 0) return { ...base, outcome: 'PASS', message: `All ${s.nodes.length} nodes are Ready.` };
  return { ...base, outcome: 'FAIL', message: `${notReady.length} of ${s.nodes.length} nodes are not Ready: ${listOf(notReady)}.` };
}

function inKubeSystem(o: KubeObject): boolean {
  return (o.metadata.namespace ?? 'kube-system') === 'kube-system';
}

function systemWorkloads(s: InspectionSnapshot): InspectionCheck {
  const base = { id: 'conformance.system-workloads', title: 'System workloads available', severity: 'HIGH' as const };
  if (!s.deployments && !s.daemonSets) return { ...base, outcome: 'SKIP', message: 'kube-system Deployments and DaemonSets were not fetched.' };
  const short: string[] = [];
  let total = 0;
  for (const d of (s.deployments ?? []).filter(inKubeSystem)) {
    total++;
    const want = num(field(d, 'spec', 'replicas')) ?? 1;
    const available = num(field(d, 'status', 'availableReplicas')) ?? 0;
    if (available < want) short.push(`Deployment ${ref(d)} (${available}/${want} available)`);
  }
  for (const ds of (s.daemonSets ?? []).filter(inKubeSystem)) {
    total++;
    const want = num(field(ds, 'status', 'desiredNumberScheduled')) ?? 0;
    const available = num(field(ds, 'status', 'numberAvailable')) ?? 0;
    if (available < want) short.push(`DaemonSet ${ref(ds)} (${available}/${want} available)`);
  }
  if (short.length === 0) return { ...base, outcome: 'PASS', message: `All ${total} kube-system Deployments and DaemonSets are fully available.` };
  return { ...base, outcome: 'FAIL', message: `kube-system workloads with unavailable replicas: ${listOf(short)}.` };
}

function podReady(p: KubeObject): boolean {
  return field(p, 'status', 'phase') === 'Running' && condition(p, 'Ready')?.status === 'True';
}

function controlPlaneComponents(s: InspectionSnapshot): InspectionCheck {
  const base = { id: 'conformance.control-plane-components', title: 'Control-plane components running', severity: 'HIGH' as const };
  if (MANAGED_CONTROL_PLANE.has(s.provider)) {
    return { ...base, outcome: 'SKIP', message: `${s.provider}: the managed control plane is not visible to the cluster.` };
  }
  if (s.provider === 'OPENSHIFT') {
    return { ...base, outcome: 'SKIP', message: 'OPENSHIFT: control-plane components run under cluster operators in openshift-* namespaces, not as kube-system static pods.' };
  }
  if (!s.pods) return { ...base, outcome: 'SKIP', message: 'kube-system pods were not fetched.' };
  const byComponent = new Map<string, KubeObject[]>(CONTROL_PLANE_COMPONENTS.map((c) => [c, []]));
  for (const p of s.pods.filter(inKubeSystem)) byComponent.get(p.metadata.labels?.component ?? '')?.push(p);
  const missing = CONTROL_PLANE_COMPONENTS.filter((c) => byComponent.get(c)!.length === 0);
  const notReady = [...byComponent.values()].flat().filter((p) => !podReady(p)).map((p) => `${ref(p)} (${String(field(p, 'status', 'phase') ?? 'unknown phase')})`);
  if (missing.length === CONTROL_PLANE_COMPONENTS.length && s.provider === 'GENERIC') {
    // k3s, k0s and hosted control planes run these outside kube-system pods: unknown, not broken.
    return { ...base, outcome: 'WARN', message: 'No control-plane static pods (component label) in kube-system: this distribution may run them outside the cluster, so their health could not be checked.' };
  }
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`not found in kube-system: ${missing.join(', ')}`);
  if (notReady.length > 0) problems.push(`not Ready: ${listOf(notReady)}`);
  if (problems.length === 0) {
    const count = [...byComponent.values()].flat().length;
    return { ...base, outcome: 'PASS', message: `${CONTROL_PLANE_COMPONENTS.join(', ')} are running (${count} pods Ready).` };
  }
  // Only an external etcd missing is a topology choice, not a fault.
  const onlyEtcdMissing = missing.length === 1 && missing[0] === 'etcd' && notReady.length === 0;
  return { ...base, outcome: onlyEtcdMissing ? 'WARN' : 'FAIL', message: `Control-plane components ${problems.join('; ')}${onlyEtcdMissing ? ' (external etcd?)' : ''}.` };
}

function versionSkew(s: InspectionSnapshot): InspectionCheck {
  const base = { id: 'conformance.version-skew', title: 'Kubelet and API server version skew', severity: 'HIGH' as const };
  if (!s.nodes) return { ...base, outcome: 'SKIP', message: 'Nodes were not fetched.' };
  try {
    parseKubeVersion(s.version);
  } catch {
    return { ...base, outcome: 'WARN', message: `The API server version ${JSON.stringify(s.version)} could not be read, so skew was not checked.` };
  }
  const out: string[] = [];
  const unreadable: string[] = [];
  for (const n of s.nodes) {
    const kubelet = field(n, 'status', 'nodeInfo', 'kubeletVersion');
    try {
      const v = checkKubeletSkew(s.version, String(kubelet));
      if (!v.allowed) out.push(`${n.metadata.name}: ${v.reason}`);
    } catch {
      unreadable.push(`${n.metadata.name} (${JSON.stringify(kubelet ?? null)})`);
    }
  }
  if (out.length > 0) return { ...base, outcome: 'FAIL', message: `Kubelets outside the supported skew of API server ${s.version}: ${listOf(out)}.` };
  if (unreadable.length > 0) return { ...base, outcome: 'WARN', message: `Kubelet versions could not be read on ${listOf(unreadable)}.` };
  return { ...base, outcome: 'PASS', message: `All ${s.nodes.length} kubelets are within the supported skew of API server ${s.version}.` };
}
