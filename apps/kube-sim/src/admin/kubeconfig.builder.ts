/** An admin kubeconfig for one simulated cluster. */
import { stringify } from 'yaml';

export function buildKubeconfig(name: string, server: string, token: string, caPem?: string): string {
  const cluster: Record<string, unknown> = { server };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  // Plain HTTP: client-node refuses http:// servers unless TLS verification is explicitly off.
  else cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    'current-context': name,
    preferences: {},
  });
}
