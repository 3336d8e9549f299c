/**
 * Reads the admin kubeconfig Cluster API writes into `<name>-kubeconfig` (key `value`): the API
 * server URL, a bearer token and the CA. Pure; the result is a secret and is never logged.
 */
import { parse } from 'yaml';

export interface AdminCredential {
  server: string;
  token: string;
  caPem: string | null;
  insecureSkipTlsVerify: boolean;
}

export class KubeconfigError extends Error {}

export function parseAdminKubeconfig(text: string): AdminCredential {
  let doc: any;
  try {
    doc = parse(text);
  } catch {
    throw new KubeconfigError('the kubeconfig Secret does not hold valid YAML');
  }
  const contextName = doc?.['current-context'] ?? doc?.contexts?.[0]?.name;
  const context = (doc?.contexts ?? []).find((c: any) => c?.name === contextName)?.context ?? doc?.contexts?.[0]?.context;
  const cluster = (doc?.clusters ?? []).find((c: any) => c?.name === context?.cluster)?.cluster ?? doc?.clusters?.[0]?.cluster;
  const user = (doc?.users ?? []).find((u: any) => u?.name === context?.user)?.user ?? doc?.users?.[0]?.user;
  if (typeof cluster?.server !== 'string' || !cluster.server) throw new KubeconfigError('the kubeconfig names no API server');
  if (typeof user?.token !== 'string' || !user.token) {
    throw new KubeconfigError('the kubeconfig has no bearer token (client certificates are not supported for the one-time setup yet)');
  }
  const caData = cluster['certificate-authority-data'];
  return {
    server: cluster.server.replace(/\/+$/, ''),
    token: user.token,
    caPem: typeof caData === 'string' && caData ? Buffer.from(caData, 'base64').toString('utf8') : null,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
  };
}
