import { writeFileSync } from 'node:fs';
import { KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { AGENT_NAMESPACE, AGENT_REGISTRATION_SECRET, KubeObject, agentModeObjects } from '@flotilla/cluster-access/agent-identity';
import { CliError } from './cli-error';
import { AgentCredentials } from './kube-attach';

/**
 * The agent half of `attach --agent`, with the operator's kubeconfig: the registration Role and
 * binding, the registration Secret (endpoint + one-time token) and the agent's Deployment. Each
 * object is created, or replaced when it exists (the Secret too: a new registration replaces the
 * old one, whose token the API has already forgotten).
 */
export async function applyAgentMode(
  kubeConfig: KubeConfig,
  contextName: string | undefined,
  registration: { agentEndpoint: string; registrationToken: string },
  opts: { image?: string; onProgress?: (line: string) => void },
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: kubeConfig.clusters, users: kubeConfig.users, contexts: kubeConfig.contexts, currentContext: contextName || kubeConfig.getCurrentContext() });
  const api = KubernetesObjectApi.makeApiClient(kc);
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: AGENT_REGISTRATION_SECRET, namespace: AGENT_NAMESPACE, labels: { 'app.kubernetes.io/name': 'flotilla-agent', 'app.kubernetes.io/managed-by': 'flotilla' } },
    stringData: { endpoint: registration.agentEndpoint, registrationToken: registration.registrationToken },
  };
  for (const desired of [...agentModeObjects(opts.image), secret]) {
    const ref = `${desired.kind.toLowerCase()}/${desired.metadata.name}`;
    let status = 'created';
    try {
      await api.create(desired as KubernetesObject);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw new CliError(`cannot create ${ref}: ${describe(err)}`);
      try {
        const existing = await api.read({ apiVersion: desired.apiVersion, kind: desired.kind, metadata: { name: desired.metadata.name, namespace: desired.metadata.namespace } });
        await api.replace({ ...desired, metadata: { ...desired.metadata, resourceVersion: existing.metadata?.resourceVersion } } as KubernetesObject);
        status = 'configured';
      } catch (e) {
        throw new CliError(`cannot update ${ref}: ${describe(e)}`);
      }
    }
    opts.onProgress?.(`${ref} ${status}`);
  }
}

/** A kubeconfig holding only the agent's identity (server, CA, service-account token): what `flotilla agent run --kubeconfig` reads. */
export function writeAgentKubeconfig(file: string, credentials: AgentCredentials): void {
  const kc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'cluster', cluster: { server: credentials.apiServerUrl, ...(credentials.caData ? { 'certificate-authority-data': credentials.caData } : {}) } }],
    users: [{ name: 'flotilla-agent', user: { token: credentials.token } }],
    contexts: [{ name: 'flotilla-agent', context: { cluster: 'cluster', user: 'flotilla-agent', namespace: AGENT_NAMESPACE } }],
    'current-context': 'flotilla-agent',
  };
  // JSON is YAML: client-node reads it as a kubeconfig.
  writeFileSync(file, `${JSON.stringify(kc, null, 2)}\n`, { mode: 0o600 });
}

function describe(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* keep */
    }
  }
  const message = (body as { message?: string } | undefined)?.message;
  return e.code ? `HTTP ${e.code}${message ? `: ${message}` : ''}` : (e.message ?? String(err));
}
