import { isIP } from 'node:net';
import { DNS_SUBDOMAIN_MAX } from './dns-name';
import { refuse } from './input-validation.error';

export const URL_MAX = 2048;
const HOST_LABEL = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;

export interface ApiServerUrlOptions {
  /** Only with the development flag (FLOTILLA_KUBE_INSECURE_SKIP_TLS_VERIFY): plain http:// is accepted. */
  allowHttp: boolean;
}

/**
 * A Kubernetes API server URL: https (http only in development), at most 2,048 characters, a host
 * that is an IP address or a DNS name (labels of at most 63, 253 in all), no credentials, query or
 * fragment. Path prefixes are kept (kube-sim and proxies serve clusters under a path); the trailing
 * slash is dropped so one server has one spelling.
 */
export function apiServerUrl(raw: string, options: ApiServerUrlOptions, field: string): string {
  if (raw.length > URL_MAX) refuse(field, `must be at most ${URL_MAX} characters`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse(field, 'is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) refuse(field, 'must be an https:// URL');
  if (url.username || url.password) refuse(field, 'must not contain credentials');
  if (url.search || url.hash) refuse(field, 'must not contain a query or fragment');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isIP(host)) {
    const name = host.replace(/\.$/, '');
    if (name.length === 0 || name.length > DNS_SUBDOMAIN_MAX || !name.split('.').every((l) => l.length <= 63 && HOST_LABEL.test(l))) {
      refuse(field, `must name its host by IP address or by a DNS name of at most ${DNS_SUBDOMAIN_MAX} characters`);
    }
  }
  const normalised = url.toString().replace(/\/+$/, '');
  if (normalised.length > URL_MAX) refuse(field, `must be at most ${URL_MAX} characters`);
  return normalised;
}
