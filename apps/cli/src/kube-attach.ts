import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { AGENT_NAMESPACE, AGENT_TOKEN_SECRET, KubeObject, establishAgentIdentity, isLegacyAgentTokenSecret } from '@flotilla/cluster-access/agent-identity';
import { DEFAULT_TOKEN_TTL_SECONDS } from '@flotilla/cluster-access/token-renewal';
import { CliError } from './cli-error';

/** What the API needs to reach the cluster as the agent. Never the operator's own credentials. */
export interface AgentCredentials {
  apiServerUrl: string;
  /** A short-lived TokenRequest token of the agent service account. */
  token: string;
  /** When it expires, as the API server answered (status.expirationTimestamp). */
  tokenExpiresAt: Date;
  /** Base64 of the PEM CA bundle; absent only when neither the kubeconfig nor the cluster offers one. */
  caData?: string;
}

export interface EnsureAgentOptions {
  /** The token's lifetime to ask for (default 24 h; at least 600 s, checked by the caller). */
  tokenTtlSeconds?: number;
  /** Bound on each Kubernetes call, so an unreachable cluster fails instead of hanging. */
  requestTimeoutMs?: number;
  /** One line per object: "namespace/flotilla-system created". */
  onProgress?: (line: string) => void;
  /** The ClusterRoles the agent may bind (default view, edit, admin; checked by the caller). */
  bindableRoles?: readonly string[];
  /** A management cluster Flotilla may provision clusters on (see AgentIdentityOptions.provisioning). */
  provisioning?: boolean;
}

/** The user's kubeconfig: --kubeconfig, else KUBECONFIG (colon-separated list) or ~/.kube/config. */
export function loadKubeConfig(file?: string, env: Record<string, string | undefined> = process.env): KubeConfig {
  // Without any kubeconfig, client-node quietly falls back to http://localhost:8080: say so instead.
  if (!file && !env.KUBECONFIG && !existsSync(join(env.HOME || homedir(), '.kube', 'config'))) {
    throw new CliError('no kubeconfig: pass --kubeconfig FILE or set KUBECONFIG (~/.kube/config does not exist)');
  }
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (err) {
    throw new CliError(`cannot load kubeconfig${file ? ` ${file}` : ''}: ${(err as Error).message}`);
  }
  return kc;
}

/** The operator's kubeconfig narrowed to one context (the current one when none is named). */
function forContext(kubeConfig: KubeConfig, contextName?: string): { kc: KubeConfig; contextName: string; server: string; caData?: string } {
  const name = contextName || kubeConfig.getCurrentContext();
  const available = kubeConfig.getContexts().map((c) => c.name);
  const context = name ? kubeConfig.getContextObject(name) : null;
  if (!context) {
    throw new CliError(
      name
        ? `context ${JSON.stringify(name)} is not in the kubeconfig (contexts: ${available.join(', ') || 'none'})`
        : `the kubeconfig has no current context: pass --context (contexts: ${available.join(', ') || 'none'})`,
    );
  }
  const cluster = kubeConfig.getCluster(context.cluster);
  if (!cluster?.server) throw new CliError(`context ${name} names cluster ${context.cluster}, which has no server URL in the kubeconfig`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: kubeConfig.clusters,
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: name,
  });
  let caData = cluster.caData;
  if (!caData && cluster.caFile) {
    try {
      caData = readFileSync(cluster.caFile).toString('base64');
    } catch (err) {
      throw new CliError(`cannot read certificate-authority ${cluster.caFile} of cluster ${cluster.name}: ${(err as Error).message}`);
    }
  }
  return { kc, contextName: name, server: cluster.server, caData };
}

type Status = 'created' | 'configured' | 'unchanged';

interface KindOps {
  create(o: KubeObject): Promise<unknown>;
  read(o: KubeObject): Promise<KubeObject>;
  replace(o: KubeObject): Promise<unknown>;
}

/**
 * Creates (or brings back to the desired state) the agent's namespace, service account, cluster
 * role and binding, and the Role (and binding) that lets it renew its own token, in the context's
 * cluster; then asks for a short-lived token (TokenRequest) and returns what attachCluster needs.
 * No token Secret is created. Safe to run any number of times: each run issues a new token, and
 * tokens issued before stay valid until they expire.
 */
export async function ensureAgentIdentity(kubeConfig: KubeConfig, contextName?: string, options: EnsureAgentOptions = {}): Promise<AgentCredentials> {
  const target = forContext(kubeConfig, contextName);
  const core = target.kc.makeApiClient(CoreV1Api);
  const rbac = target.kc.makeApiClient(RbacAuthorizationV1Api);
  const timeoutMs = options.requestTimeoutMs ?? 20_000;
  const call = <T>(what: string, p: Promise<T>) => withTimeout(p, timeoutMs, `${what} in ${target.server}`);
  const ns = (o: KubeObject) => o.metadata.namespace ?? AGENT_NAMESPACE;
  const ops: Record<string, KindOps> = {
    Namespace: {
      create: (o) => core.createNamespace({ body: o as never }),
      read: (o) => core.readNamespace({ name: o.metadata.name }) as Promise<never>,
      replace: (o) => core.replaceNamespace({ name: o.metadata.name, body: o as never }),
    },
    ServiceAccount: {
      create: (o) => core.createNamespacedServiceAccount({ namespace: ns(o), body: o as never }),
      read: (o) => core.readNamespacedServiceAccount({ name: o.metadata.name, namespace: ns(o) }) as Promise<never>,
      replace: (o) => core.replaceNamespacedServiceAccount({ name: o.metadata.name, namespace: ns(o), body: o as never }),
    },
    ClusterRole: {
      create: (o) => rbac.createClusterRole({ body: o as never }),
      read: (o) => rbac.readClusterRole({ name: o.metadata.name }) as Promise<never>,
      replace: (o) => rbac.replaceClusterRole({ name: o.metadata.name, body: o as never }),
    },
    ClusterRoleBinding: {
      create: (o) => rbac.createClusterRoleBinding({ body: o as never }),
      read: (o) => rbac.readClusterRoleBinding({ name: o.metadata.name }) as Promise<never>,
      replace: (o) => rbac.replaceClusterRoleBinding({ name: o.metadata.name, body: o as never }),
    },
    Role: {
      create: (o) => rbac.createNamespacedRole({ namespace: ns(o), body: o as never }),
      read: (o) => rbac.readNamespacedRole({ name: o.metadata.name, namespace: ns(o) }) as Promise<never>,
      replace: (o) => rbac.replaceNamespacedRole({ name: o.metadata.name, namespace: ns(o), body: o as never }),
    },
    RoleBinding: {
      create: (o) => rbac.createNamespacedRoleBinding({ namespace: ns(o), body: o as never }),
      read: (o) => rbac.readNamespacedRoleBinding({ name: o.metadata.name, namespace: ns(o) }) as Promise<never>,
      replace: (o) => rbac.replaceNamespacedRoleBinding({ name: o.metadata.name, namespace: ns(o), body: o as never }),
    },
  };

  // The objects and the TokenRequest are the shared attach path (establishAgentIdentity); this
  // writer only says how to create, reconcile and ask with the operator's kubeconfig.
  const issued = await establishAgentIdentity(
    {
      ensure: async (desired) => {
        const kindOps = ops[desired.kind];
        const ref = `${desired.kind.toLowerCase()}/${desired.metadata.name}`;
        try {
          await call(`creating ${ref}`, kindOps.create(desired));
          return 'created';
        } catch (err) {
          if (statusCode(err) !== 409) throw kubeError(err, `cannot create ${ref}`, target.contextName);
          return reconcile(desired, kindOps, call, target.contextName);
        }
      },
      requestToken: (namespace, name, expirationSeconds) => requestToken(core, call, namespace, name, expirationSeconds, target.contextName),
    },
    { bindableRoles: options.bindableRoles, provisioning: options.provisioning, tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, onProgress: options.onProgress },
  );
  return {
    apiServerUrl: target.server,
    token: issued.token,
    tokenExpiresAt: issued.expiresAt,
    caData: target.caData ?? (await clusterCa(core, call)),
  };
}

/** A TokenRequest for the agent, made with the operator's credentials; the API server may shorten the lifetime, so its expiry is the one that counts. */
async function requestToken(
  core: CoreV1Api,
  call: <T>(what: string, p: Promise<T>) => Promise<T>,
  namespace: string,
  name: string,
  expirationSeconds: number,
  contextName: string,
): Promise<{ token: string; expiresAt: Date }> {
  let answer: { status?: { token?: string; expirationTimestamp?: Date | string } };
  try {
    answer = await call(
      'requesting a token for the agent',
      core.createNamespacedServiceAccountToken({
        name,
        namespace,
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds } } as never,
      }),
    );
  } catch (err) {
    throw kubeError(err, `cannot create a token for serviceaccount ${namespace}/${name}`, contextName);
  }
  const token = answer.status?.token;
  const expiresAt = answer.status?.expirationTimestamp ? new Date(answer.status.expirationTimestamp) : undefined;
  if (!token || !expiresAt || Number.isNaN(expiresAt.getTime())) {
    throw new CliError(`the cluster answered the TokenRequest for ${namespace}/${name} without a token and its expiry`);
  }
  return { token, expiresAt };
}

/** The cluster's CA as every namespace publishes it (kube-root-ca.crt), base64 like certificate-authority-data; undefined when absent. */
async function clusterCa(core: CoreV1Api, call: <T>(what: string, p: Promise<T>) => Promise<T>): Promise<string | undefined> {
  try {
    const cm = await call('reading the cluster CA', core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: AGENT_NAMESPACE }));
    const pem = cm.data?.['ca.crt'];
    return pem ? Buffer.from(pem).toString('base64') : undefined;
  } catch {
    return undefined;
  }
}

export type LegacySecretOutcome = 'deleted' | 'absent' | 'not-flotilla';

/**
 * Removes the long-lived token Secret an older `flotilla cluster attach` created (which revokes its
 * token), once the short-lived credential replacing it is stored. A Secret of that name Flotilla
 * did not create is left alone.
 */
export async function removeLegacyTokenSecret(kubeConfig: KubeConfig, contextName?: string, options: { requestTimeoutMs?: number } = {}): Promise<LegacySecretOutcome> {
  const target = forContext(kubeConfig, contextName);
  const core = target.kc.makeApiClient(CoreV1Api);
  const call = <T>(what: string, p: Promise<T>) => withTimeout(p, options.requestTimeoutMs ?? 20_000, `${what} in ${target.server}`);
  let secret: KubeObject;
  try {
    secret = (await call('reading the legacy token secret', core.readNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace: AGENT_NAMESPACE }))) as never;
  } catch (err) {
    if (statusCode(err) === 404) return 'absent';
    throw kubeError(err, `cannot read secret ${AGENT_NAMESPACE}/${AGENT_TOKEN_SECRET}`, target.contextName);
  }
  if (!isLegacyAgentTokenSecret(secret)) return 'not-flotilla';
  try {
    await call('deleting the legacy token secret', core.deleteNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace: AGENT_NAMESPACE }));
  } catch (err) {
    if (statusCode(err) === 404) return 'absent';
    throw kubeError(err, `cannot delete secret ${AGENT_NAMESPACE}/${AGENT_TOKEN_SECRET}`, target.contextName);
  }
  return 'deleted';
}

/** The object exists (409): bring it to the desired state without discarding what others added. */
async function reconcile(
  desired: KubeObject,
  kindOps: KindOps,
  call: <T>(what: string, p: Promise<T>) => Promise<T>,
  contextName: string,
): Promise<Status> {
  const ref = `${desired.kind.toLowerCase()}/${desired.metadata.name}`;
  let existing: KubeObject;
  try {
    existing = await call(`reading ${ref}`, kindOps.read(desired));
  } catch (err) {
    throw kubeError(err, `cannot read ${ref}`, contextName);
  }
  if ((desired.kind === 'ClusterRoleBinding' || desired.kind === 'RoleBinding') && JSON.stringify(existing.roleRef) !== JSON.stringify(desired.roleRef)) {
    // roleRef is immutable in Kubernetes: a replace would be refused.
    throw new CliError(`${ref} exists with a different roleRef; delete it and re-run attach`);
  }
  const next = merged(existing, desired);
  if (canonical(comparable(next)) === canonical(comparable(existing))) return 'unchanged';
  try {
    await call(`updating ${ref}`, kindOps.replace(next));
  } catch (err) {
    throw kubeError(err, `cannot update ${ref}`, contextName);
  }
  return 'configured';
}

/** Ours win for labels, annotations and the kind's own fields (rules, roleRef, subjects); the rest is kept. */
function merged(existing: KubeObject, desired: KubeObject): KubeObject {
  const { metadata, ...fields } = desired;
  return {
    ...existing,
    ...fields,
    // An aggregated ClusterRole gets its rules from others: never let that widen the agent's role.
    ...(desired.kind === 'ClusterRole' ? { aggregationRule: undefined } : {}),
    metadata: {
      ...existing.metadata,
      labels: { ...existing.metadata.labels, ...metadata.labels },
      annotations: metadata.annotations || existing.metadata.annotations ? { ...existing.metadata.annotations, ...metadata.annotations } : undefined,
    },
  };
}

function comparable(o: KubeObject): unknown {
  return { ...o, metadata: { labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {} } };
}

/** JSON with sorted keys: the client returns fields in its own order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** A Kubernetes failure in words an operator can act on; never echoes credentials. */
function kubeError(err: unknown, doing: string, contextName: string): CliError {
  if (err instanceof CliError) return err;
  const code = statusCode(err);
  if (code === 401) return new CliError(`${doing}: the cluster rejected the credentials of context ${contextName} (401)`);
  if (code === 403) {
    return new CliError(`${doing}: forbidden (403) for the user of context ${contextName}; attaching needs rights to create namespaces, RBAC and service-account tokens (cluster-admin)${kubeMessage(err)}`);
  }
  if (code !== undefined) return new CliError(`${doing}: the cluster answered ${code}${kubeMessage(err)}`);
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  return new CliError(`${doing}: ${e.cause?.code ?? e.code ?? e.message}`);
}

function kubeMessage(err: unknown): string {
  let body = (err as ApiException<unknown>).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return '';
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? `: ${message}` : '';
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`timed out after ${Math.round(ms / 1000)} s ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
