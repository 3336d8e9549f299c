/**
 * Applies a cluster's faults to one API request before it is served. One listener serves every
 * cluster, so "down" cannot refuse the TCP connection itself: it resets it (the client sees
 * ECONNRESET / socket hang up) or, with "hang", never answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterRecord } from '../fleet/cluster-record';
import { errors } from '../http/api-error';

/** Resolves true when the fault already dealt with the request. */
export async function injectFaults(record: ClusterRecord, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const f = record.faults;
  if (f.down === true || f.down === 'reset') {
    req.socket.destroy();
    return true;
  }
  if (f.down === 'hang') {
    // Never answered; the server's closeAllConnections() ends it at shutdown.
    res.on('error', () => undefined);
    return true;
  }
  if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
  if (f.throttle !== undefined && f.throttle !== false) {
    const rate = f.throttle === true ? 1 : typeof f.throttle === 'number' ? f.throttle : (f.throttle.rate ?? 1);
    const retryAfter = typeof f.throttle === 'object' ? (f.throttle.retryAfterSeconds ?? 1) : 1;
    if (Math.random() < rate) throw errors.tooManyRequests(retryAfter);
  }
  if (f.errorRate && Math.random() < f.errorRate) {
    if ((f.errorCode ?? 500) === 503) throw errors.unavailable('the server is currently unable to handle the request');
    throw errors.internal('simulated failure (kube-sim fault injection)');
  }
  return false;
}
