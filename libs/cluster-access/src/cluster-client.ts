import { describeFailure } from './cluster-failure';
import { ListPage, ListedObjects, listPage } from './listed-objects';
import { KubeApiError } from './kube-api.error';
import { ClusterEndpoint, DirectHttpsTransport, KubeTransport } from './kube-transport';
import { KindName, ReadOnlyKindError, RemovableKind, WritableKind, collectionPath, groupVersionPath, kindOfObject, objectPath, resourceOf, serviceAccountTokenPath } from './resource-catalogue';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ListOptions {
  /** Only this namespace; all namespaces (or the cluster-scoped kind) without it. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface KubeVersionInfo {
  gitVersion: string;
  major?: string;
  minor?: string;
  platform?: string;
}

/** A TokenRequest's answer: the token and when the API server says it expires. */
export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface HealthProbe {
  healthz: boolean;
  livez: boolean;
  readyz: boolean;
  /** /readyz?verbose as the server said it, or why it could not be read. */
  readyzVerbose: string;
}

/** How long a cluster's answer to "do you serve this API group-version?" is kept (see serves). */
export const SERVES_TTL_MS = 10 * 60_000;

/**
 * The one way Flotilla talks to a cluster, in Kubernetes' own words: kinds from the resource
 * catalogue, never paths. Every path is derived here from the catalogue, and every request goes
 * through the KubeTransport below (direct HTTPS today, the outbound agent next), which holds the
 * credential. Jobs see intent-named methods only.
 */
export class ClusterClient {
  private readonly servedGroupVersions = new Map<string, { served: boolean; until: number }>();

  constructor(
    private readonly transport: KubeTransport,
    private readonly opts: { pageSize?: number } = {},
  ) {}

  /** A client that dials the API server itself, verifying TLS against the stored CA. */
  static direct(endpoint: ClusterEndpoint, opts: { timeoutMs: number; pageSize?: number }): ClusterClient {
    return new ClusterClient(new DirectHttpsTransport(endpoint, { timeoutMs: opts.timeoutMs }), { pageSize: opts.pageSize });
  }

  close(): void {
    this.transport.close();
  }

  /**
   * Closes the keep-alive connections no request is using (requests in flight keep theirs). A job
   * that will not call this cluster again soon (a fleet scan) frees their TLS buffers at once
   * rather than after the idle timeout.
   */
  closeIdleConnections(): void {
    this.transport.closeIdleConnections();
  }

  async readVersion(): Promise<KubeVersionInfo> {
    return this.getJson('/version');
  }

  listNodes(): Promise<KubeObject[]> {
    return this.list('Node');
  }

  /** The API server's Prometheus text (apiserver_requested_deprecated_apis among it). */
  async readMetrics(): Promise<string> {
    return this.getText('/metrics');
  }

  /** /healthz, /livez and /readyz?verbose: a probe that fails is false, never an exception. */
  async probeHealth(): Promise<HealthProbe> {
    const probe = async (path: string) => {
      try {
        return (await this.getText(path)).trim() === 'ok';
      } catch {
        return false;
      }
    };
    const [healthz, livez] = await Promise.all([probe('/healthz'), probe('/livez')]);
    try {
      const readyzVerbose = await this.getText('/readyz?verbose');
      return { healthz, livez, readyz: /readyz check passed/.test(readyzVerbose) || readyzVerbose.trim() === 'ok', readyzVerbose };
    } catch (err) {
      return { healthz, livez, readyz: false, readyzVerbose: describeFailure(err) };
    }
  }

  /**
   * Whether the cluster serves the kind's group-version at all (a management cluster serves Cluster
   * API). The answer is kept for SERVES_TTL_MS per group-version: every sync asks it, and which API
   * groups a cluster serves changes when someone installs or removes CRDs, not from one minute to
   * the next (a cluster that starts serving Cluster API is noticed within the TTL). A failure is
   * never kept.
   */
  async serves(kind: KindName): Promise<boolean> {
    const path = groupVersionPath(kind);
    const now = Date.now();
    const known = this.servedGroupVersions.get(path);
    if (known && known.until > now) return known.served;
    let served: boolean;
    try {
      await this.transport.request('GET', path);
      served = true;
    } catch (err) {
      if (!(err instanceof KubeApiError && err.notFound)) throw err;
      served = false;
    }
    this.servedGroupVersions.set(path, { served, until: now + SERVES_TTL_MS });
    return served;
  }

  /** Every object of a kind, fetched page by page with limit/continue. */
  async list<T extends KubeObject = KubeObject>(kind: KindName, opts: ListOptions = {}): Promise<T[]> {
    return (await this.listed<T>(kind, opts)).items();
  }

  /**
   * A kind's list as the API server sent it, every page: a digest of its items and the items
   * parsed only when asked. A fleet scan compares the digest with the previous scan's and leaves
   * an unchanged list unparsed (parsing was the largest part of a scan's worker CPU).
   */
  async listed<T extends KubeObject = KubeObject>(kind: KindName, opts: ListOptions = {}): Promise<ListedObjects<T>> {
    resourceOf(kind);
    const path = collectionPath(kind, opts.namespace);
    const query: Record<string, string> = {};
    if (opts.labelSelector) query.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
    const pages: ListPage[] = [];
    let cont: string | undefined;
    const limit = String(this.opts.pageSize ?? 500);
    do {
      const qs = new URLSearchParams({ ...query, limit, ...(cont ? { continue: cont } : {}) });
      const page = listPage((await this.transport.request('GET', `${path}?${qs}`)).body);
      pages.push(page);
      cont = page.continueToken;
    } while (cont);
    return new ListedObjects<T>(pages);
  }

  /** One object; null when it does not exist. */
  async get<T extends KubeObject = KubeObject>(kind: KindName, name: string, namespace?: string): Promise<T | null> {
    resourceOf(kind);
    try {
      return await this.getJson<T>(objectPath(kind, name, namespace));
    } catch (err) {
      if (err instanceof KubeApiError && err.notFound) return null;
      throw err;
    }
  }

  /** Server-side apply with Flotilla as the field manager; the path comes from the object's apiVersion, kind and metadata. */
  async apply<T extends KubeObject = KubeObject>(object: KubeObject): Promise<T> {
    const kind = writable(kindOfObject(object));
    const path = objectPath(kind, object.metadata.name, object.metadata.namespace);
    const res = await this.transport.request('PATCH', `${path}?fieldManager=flotilla&force=true`, JSON.stringify(object), {
      'content-type': 'application/apply-patch+yaml',
    });
    return JSON.parse(res.body) as T;
  }

  /** A JSON merge patch (RFC 7386) of one object. */
  async mergePatch<T extends KubeObject = KubeObject>(kind: WritableKind, name: string, patch: unknown, namespace?: string): Promise<T> {
    const res = await this.transport.request('PATCH', objectPath(writable(kind), name, namespace), JSON.stringify(patch), {
      'content-type': 'application/merge-patch+json',
    });
    return JSON.parse(res.body) as T;
  }

  /** Deletes one object of a removable kind; false when it was already gone, so a repeated cleanup is a no-op. */
  async delete(kind: RemovableKind, name: string, namespace?: string): Promise<boolean> {
    if (resourceOf(kind).removable !== true) throw new ReadOnlyKindError(kind);
    try {
      await this.transport.request('DELETE', objectPath(kind, name, namespace));
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.notFound) return false;
      throw err;
    }
  }

  /**
   * Creates an object (POST to its collection). Flotilla's jobs apply rather than create; this is
   * for setting clusters up with an admin credential (tests, demos), so any catalogue kind goes.
   */
  async create<T extends KubeObject = KubeObject>(object: KubeObject): Promise<T> {
    const kind = kindOfObject(object);
    const res = await this.transport.request('POST', collectionPath(kind, object.metadata.namespace), JSON.stringify(object), { 'content-type': 'application/json' });
    return JSON.parse(res.body) as T;
  }

  /**
   * A TokenRequest for a service account (POST …/serviceaccounts/<name>/token), authenticated as
   * whoever this client is: how Flotilla renews its own short-lived credential. The API server may
   * shorten the lifetime, so the expiry is the one it answers with.
   */
  async requestServiceAccountToken(namespace: string, name: string, expirationSeconds: number): Promise<IssuedToken> {
    const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } });
    const res = await this.transport.request('POST', serviceAccountTokenPath(namespace, name), body, { 'content-type': 'application/json' });
    const status = (JSON.parse(res.body) as { status?: { token?: unknown; expirationTimestamp?: unknown } }).status;
    const expiresAt = new Date(String(status?.expirationTimestamp ?? ''));
    if (typeof status?.token !== 'string' || !status.token || Number.isNaN(expiresAt.getTime())) {
      throw new Error('the API server answered the TokenRequest without status.token and status.expirationTimestamp');
    }
    return { token: status.token, expiresAt };
  }

  private async getJson<T>(path: string): Promise<T> {
    return JSON.parse((await this.transport.request('GET', path)).body) as T;
  }

  private async getText(path: string): Promise<string> {
    return (await this.transport.request('GET', path, undefined, { accept: 'text/plain, */*' })).body;
  }
}

/** Jobs change only the kinds the catalogue marks writable (what the agent's role and transport allow). */
function writable<K extends KindName>(kind: K): K & WritableKind {
  if (resourceOf(kind).writable !== true) throw new ReadOnlyKindError(kind);
  return kind as K & WritableKind;
}
