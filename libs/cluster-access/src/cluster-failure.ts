import { redactText } from '../../observability/src';
import { KubeApiError } from './kube-api.error';

/**
 * The words an operator reads when a call to a cluster failed (dashboard reasons, scan errors,
 * inspection and upgrade failures): what failed, never a credential. Every job words its
 * failures here, so they read the same wherever they appear.
 */
export function describeFailure(err: unknown): string {
  if (err instanceof KubeApiError) {
    if (err.statusCode === 401) return 'the API server rejected Flotilla\'s token (401 Unauthorized): re-attach the cluster';
    if (err.statusCode === 403) return `Flotilla's service account is not allowed to read this (403 Forbidden): ${redactText(err.message)}`;
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
