/**
 * Legacy discovery documents (/api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>).
 * Clients that ask for aggregated discovery fall back to these when the answer is plain JSON.
 * Documents are cached per (management?, catalogue epoch).
 */
import type { ResourceCatalog } from './resource-catalog';
import { groupVersion } from './resource-type';

export class DiscoveryHandler {
  private cache = new Map<string, string | null>();
  private epoch = -1;

  constructor(private readonly catalog: ResourceCatalog) {}

  /** The JSON body for a discovery path, or undefined when the path is not a discovery document. */
  document(path: string, management: boolean, serverAddress: string): string | null | undefined {
    if (this.epoch !== this.catalog.epoch) {
      this.cache.clear();
      this.epoch = this.catalog.epoch;
    }
    const key = `${management ? 'm' : 'w'}${path}`;
    if (this.cache.has(key)) {
      const hit = this.cache.get(key);
      return hit === null ? null : hit?.replace('__SERVER__', serverAddress);
    }
    const doc = this.build(path, management);
    if (doc === undefined) return undefined;
    const json = doc === null ? null : JSON.stringify(doc);
    this.cache.set(key, json);
    return json === null ? null : json.replace('__SERVER__', serverAddress);
  }

  private build(path: string, management: boolean): object | null | undefined {
    const parts = path.split('/').filter((p) => p !== '');
    const groups = this.catalog.groups(management);
    if (parts[0] === 'api') {
      if (parts.length === 1) return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '__SERVER__' }] };
      if (parts.length === 2) return parts[1] === 'v1' ? this.resourceList('', 'v1', management) : null;
      return undefined;
    }
    if (parts[0] !== 'apis') return undefined;
    if (parts.length === 1) {
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups.entries()].filter(([g]) => g !== '').map(([g, versions]) => this.group(g, versions)),
      };
    }
    const versions = groups.get(parts[1]);
    if (parts.length === 2) return versions && parts[1] !== '' ? { kind: 'APIGroup', apiVersion: 'v1', ...this.group(parts[1], versions) } : null;
    if (parts.length === 3) return versions?.includes(parts[2]) ? this.resourceList(parts[1], parts[2], management) : null;
    return undefined;
  }

  private group(name: string, versions: string[]): object {
    const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: vs, preferredVersion: vs[0] };
  }

  private resourceList(group: string, version: string, management: boolean): object {
    const resources: object[] = [];
    for (const t of this.catalog.served(management)) {
      if (t.group !== group || t.version !== version) continue;
      const r: Record<string, unknown> = { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
      if (t.shortNames) r.shortNames = t.shortNames;
      if (t.categories) r.categories = t.categories;
      resources.push(r);
      for (const sub of t.subresources ?? []) resources.push(subresource(t.resource, sub, t.namespaced, t.kind));
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
  }
}

function subresource(resource: string, sub: string, namespaced: boolean, kind: string): object {
  const name = `${resource}/${sub}`;
  switch (sub) {
    case 'scale':
      return { name, singularName: '', namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'log':
      return { name, singularName: '', namespaced, kind: 'Pod', verbs: ['get'] };
    case 'token':
      return { name, singularName: '', namespaced, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
    case 'eviction':
      return { name, singularName: '', namespaced, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'finalize':
      return { name, singularName: '', namespaced, kind, verbs: ['update'] };
    default:
      return { name, singularName: '', namespaced, kind, verbs: ['get', 'patch', 'update'] };
  }
}
