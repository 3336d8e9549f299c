/**
 * Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), which kubectl
 * asks for on `get`: the familiar columns for the common kinds, NAME and AGE for the rest.
 */
import type { KubeObject } from '../content/contract';
import type { StoredObject } from '../store/object-store';
import type { RequestContext } from './request-context';

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: any) => string | number;
}

const col = (name: string, cell: Column['cell'], priority = 0, type = 'string', format = ''): Column => ({ name, type, format, priority, cell });

export function humanAge(ts: unknown, now = Date.now()): string {
  const t = Date.parse(String(ts ?? ''));
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return `${d}d${h % 24 ? `${h % 24}h` : ''}`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y${d % 365 ? `${d % 365}d` : ''}`;
}

const name = col('Name', (o) => o.metadata.name, 0, 'string', 'name');
const age = col('Age', (o) => humanAge(o.metadata.creationTimestamp));

function podReady(o: any): string {
  const statuses: any[] = o.status?.containerStatuses ?? [];
  const total = (o.spec?.containers ?? []).length;
  return `${statuses.filter((c) => c.ready).length}/${total}`;
}

function nodeStatus(o: any): string {
  const ready = (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  let s = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  if (o.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(o: any): string {
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.sort().join(',') : '<none>';
}

function ports(o: any): string {
  const p: any[] = o.spec?.ports ?? [];
  return p.length ? p.map((x) => `${x.port}${x.nodePort ? `:${x.nodePort}` : ''}/${x.protocol ?? 'TCP'}`).join(',') : '<none>';
}

const COLUMNS: Record<string, Column[]> = {
  '/pods': [
    name,
    col('Ready', podReady),
    col('Status', (o) => o.status?.reason ?? o.status?.phase ?? 'Unknown'),
    col('Restarts', (o) => (o.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0), 0, 'string'),
    age,
    col('IP', (o) => o.status?.podIP ?? '<none>', 1),
    col('Node', (o) => o.spec?.nodeName ?? '<none>', 1),
  ],
  '/nodes': [
    name,
    col('Status', nodeStatus),
    col('Roles', nodeRoles),
    age,
    col('Version', (o) => o.status?.nodeInfo?.kubeletVersion ?? ''),
    col('Internal-IP', (o) => (o.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '<none>', 1),
    col('OS-Image', (o) => o.status?.nodeInfo?.osImage ?? '<unknown>', 1),
    col('Kernel-Version', (o) => o.status?.nodeInfo?.kernelVersion ?? '<unknown>', 1),
    col('Container-Runtime', (o) => o.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>', 1),
  ],
  '/namespaces': [name, col('Status', (o) => o.status?.phase ?? 'Active'), age],
  '/services': [name, col('Type', (o) => o.spec?.type ?? 'ClusterIP'), col('Cluster-IP', (o) => o.spec?.clusterIP ?? '<none>'), col('External-IP', (o) => (o.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).join(',') || '<none>'), col('Port(s)', ports), age],
  '/secrets': [name, col('Type', (o) => o.type ?? 'Opaque'), col('Data', (o) => Object.keys(o.data ?? {}).length, 0, 'integer'), age],
  '/configmaps': [name, col('Data', (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, 0, 'integer'), age],
  '/serviceaccounts': [name, col('Secrets', (o) => (o.secrets ?? []).length, 0, 'integer'), age],
  'apps/deployments': [name, col('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`), col('Up-to-date', (o) => o.status?.updatedReplicas ?? 0, 0, 'integer'), col('Available', (o) => o.status?.availableReplicas ?? 0, 0, 'integer'), age],
  'apps/statefulsets': [name, col('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`), age],
  'apps/daemonsets': [name, col('Desired', (o) => o.status?.desiredNumberScheduled ?? 0, 0, 'integer'), col('Current', (o) => o.status?.currentNumberScheduled ?? 0, 0, 'integer'), col('Ready', (o) => o.status?.numberReady ?? 0, 0, 'integer'), age],
  'cluster.x-k8s.io/clusters': [name, col('ClusterClass', (o) => o.spec?.topology?.class ?? ''), col('Phase', (o) => o.status?.phase ?? ''), age, col('Version', (o) => o.spec?.topology?.version ?? '')],
  'cluster.x-k8s.io/machinedeployments': [name, col('Cluster', (o) => o.spec?.clusterName ?? ''), col('Replicas', (o) => o.status?.replicas ?? 0, 0, 'integer'), col('Ready', (o) => o.status?.readyReplicas ?? 0, 0, 'integer'), col('Phase', (o) => o.status?.phase ?? ''), age, col('Version', (o) => o.spec?.template?.spec?.version ?? '')],
  'run.tanzu.vmware.com/tanzukubernetesreleases': [name, col('Version', (o) => o.spec?.version ?? ''), col('Ready', (o) => (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status ?? ''), age],
};

export class TablePrinter {
  table(ctx: RequestContext, items: StoredObject[], resourceVersion: string, continueToken?: string, remaining?: number): Record<string, unknown> {
    const columns = COLUMNS[ctx.type.storeKey] ?? [name, age];
    const include = ctx.query.get('includeObject') ?? 'Metadata';
    const rows = items.map((s) => ({
      cells: columns.map((c) => safeCell(c, s.obj)),
      object: include === 'Object' ? s.obj : include === 'None' ? undefined : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: s.obj.metadata },
    }));
    const metadata: Record<string, unknown> = { resourceVersion };
    if (continueToken) metadata.continue = continueToken;
    if (remaining !== undefined) metadata.remainingItemCount = remaining;
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.name, priority: c.priority ?? 0 })),
      rows,
    };
  }
}

function safeCell(c: Column, o: KubeObject): string | number {
  try {
    return c.cell(o);
  } catch {
    return '';
  }
}
