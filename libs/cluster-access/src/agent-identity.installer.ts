import { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, AGENT_TOKEN_SECRET, AgentIdentityOptions, agentObjects } from './agent-identity';
import { ClusterClient, KubeObject } from './cluster-client';
import { KubeApiError } from './kube-api.error';

/**
 * Creates the agent identity attach creates (the same objects, from agentObjects) on a cluster
 * Flotilla holds a one-time admin credential for — a cluster it just provisioned, where no human
 * runs `attach` — and returns the agent's token. Idempotent: an object that exists is kept (a
 * re-run never mints a second token), so a retried job finds the same token.
 */
export async function installAgentIdentity(
  admin: ClusterClient,
  opts: AgentIdentityOptions & { tokenTimeoutMs?: number; pollMs?: number } = {},
): Promise<{ token: string; caPem: string | null }> {
  for (const desired of agentObjects(opts)) {
    try {
      await admin.create(desired);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.statusCode === 409)) throw err;
    }
  }
  const deadline = Date.now() + (opts.tokenTimeoutMs ?? 30_000);
  for (;;) {
    const secret = await admin.get<KubeObject & { type?: string; data?: Record<string, string> }>('Secret', AGENT_TOKEN_SECRET, AGENT_NAMESPACE);
    if (secret && (secret.type !== 'kubernetes.io/service-account-token' || secret.metadata.annotations?.['kubernetes.io/service-account.name'] !== AGENT_SERVICE_ACCOUNT)) {
      throw new Error(`secret ${AGENT_NAMESPACE}/${AGENT_TOKEN_SECRET} exists but is not a service-account token for ${AGENT_SERVICE_ACCOUNT}`);
    }
    if (secret?.data?.token) {
      const ca = secret.data['ca.crt'];
      return { token: Buffer.from(secret.data.token, 'base64').toString('utf8'), caPem: ca ? Buffer.from(ca, 'base64').toString('utf8') : null };
    }
    if (Date.now() >= deadline) throw new Error(`the token controller did not fill ${AGENT_NAMESPACE}/${AGENT_TOKEN_SECRET} in time`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}
