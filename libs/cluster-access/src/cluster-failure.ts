import { redactText } from '@flotilla/observability';
import { CredentialBindingError } from './credential-cipher';
import { KubeApiError } from './kube-api.error';
import { CredentialExpiredError } from './token-renewal';

/** Node's TLS verification failures: the certificate does not chain to the trusted CA (or names another host). */
const UNTRUSTED_CERT = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The class of a transport failure (no HTTP answer), in an operator's words. Deliberately not the
 * socket's own message: it carries the host:port dialled, and a status reason must say what went
 * wrong with this cluster's URL, not echo probes of wherever a URL pointed.
 */
export function transportFailureClass(code: string | null | undefined, message = ''): string {
  const c = code ?? '';
  if (c === 'ECONNREFUSED') return 'connection refused';
  if (c === 'AgentNotConnected') return "the cluster's agent is not connected";
  if (c === 'AgentTunnel') return "the agent's tunnel closed during the request";
  if (UNTRUSTED_CERT.has(c)) return 'TLS certificate not trusted';
  if (c === 'CERT_HAS_EXPIRED' || c === 'CERT_NOT_YET_VALID') return 'TLS certificate expired or not yet valid';
  if (c === 'ENOTFOUND') return 'DNS name not found';
  if (c === 'EAI_AGAIN') return 'DNS lookup failed (temporary)';
  if (c === 'ETIMEDOUT' || c === 'ESOCKETTIMEDOUT' || /timed out/i.test(message)) return 'timed out';
  if (c === 'ECONNRESET' || c === 'EPIPE') return 'connection reset';
  if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH' || c === 'EHOSTDOWN') return 'host unreachable';
  if (c.startsWith('ERR_SSL') || c === 'EPROTO' || c.startsWith('ERR_TLS')) return 'TLS handshake failed';
  return 'connection failed';
}

/** The reason an operator reads on the dashboard: what failed, never a credential, never another host's address. */
export function describeFailure(err: unknown): string {
  if (err instanceof CredentialBindingError) return 'stored credential not valid for this API server URL: re-attach the cluster';
  if (err instanceof CredentialExpiredError) return err.message;
  if (err instanceof KubeApiError) {
    if (err.transport) return `cannot reach the API server: ${transportFailureClass(err.reason, err.message)}`;
    if (err.statusCode === 401) return 'credential rejected (401 Unauthorized): re-attach the cluster';
    if (err.statusCode === 403) {
      // Often an agent attached by an older CLI (e.g. without delete on what ENFORCE created).
      return `Flotilla's service account is not allowed to do this (403 Forbidden; flotilla cluster attach NAME --update refreshes its ClusterRole): ${redactText(err.message)}`;
    }
    return redactText(err.message);
  }
  return redactText((err as Error)?.message ?? String(err));
}

/**
 * A failure of the cluster itself rather than of one request: no answer at all, a token it no
 * longer accepts, throttling or a server error. Whatever else the job would try there fails too.
 */
export function isUnavailable(err: unknown): boolean {
  return err instanceof KubeApiError && (err.transport || err.statusCode === 401 || err.statusCode === 429 || (err.statusCode ?? 0) >= 500);
}

/** The cluster refused Flotilla's credential (401), the stored one is not valid for its URL, or it expired: certain at once, no retry helps. */
export function isCredentialRejected(err: unknown): boolean {
  return err instanceof CredentialBindingError || err instanceof CredentialExpiredError || (err instanceof KubeApiError && err.statusCode === 401);
}
