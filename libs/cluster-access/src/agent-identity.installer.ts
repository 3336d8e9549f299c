import { AGENT_NAMESPACE, AgentIdentityOptions, establishAgentIdentity } from './agent-identity';
import { ClusterClient, KubeObject } from './cluster-client';
import { KubeApiError } from './kube-api.error';

/** What the worker stores after attaching a cluster itself: the agent's short-lived token, its life, and the cluster's CA when it publishes one. */
export interface InstalledAgentIdentity {
  token: string;
  /** When the token was asked for (taken before the request, so renewal never comes late). */
  issuedAt: Date;
  /** As the API server answered the TokenRequest. */
  expiresAt: Date;
  /** The CA bundle every namespace publishes (kube-root-ca.crt), PEM; null when absent. */
  caPem: string | null;
}

/**
 * Attach, done by Flotilla on a cluster it holds a one-time admin credential for — a cluster it
 * just provisioned, where no human runs `attach`: the same objects and the same TokenRequest as
 * `flotilla cluster attach` (establishAgentIdentity), through ClusterClient. An object that
 * exists is kept (a retried job finds its own); each run issues a new short-lived token, which the
 * caller stores with its expiry so the worker renews it like any attached cluster's.
 */
export async function installAgentIdentity(
  admin: ClusterClient,
  opts: AgentIdentityOptions & { tokenTtlSeconds?: number; now?: () => Date } = {},
): Promise<InstalledAgentIdentity> {
  const issuedAt = (opts.now ?? (() => new Date()))();
  const issued = await establishAgentIdentity(
    {
      ensure: async (desired) => {
        try {
          await admin.create(desired);
          return 'created';
        } catch (err) {
          if (err instanceof KubeApiError && err.statusCode === 409) return 'unchanged';
          throw err;
        }
      },
      requestToken: (namespace, name, expirationSeconds) => admin.requestServiceAccountToken(namespace, name, expirationSeconds),
    },
    opts,
  );
  const rootCa = await admin.get<KubeObject & { data?: Record<string, string> }>('ConfigMap', 'kube-root-ca.crt', AGENT_NAMESPACE).catch(() => null);
  return { token: issued.token, issuedAt, expiresAt: issued.expiresAt, caPem: rootCa?.data?.['ca.crt'] ?? null };
}
