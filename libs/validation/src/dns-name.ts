import { refuse } from './input-validation.error';

/** RFC 1123 label as Kubernetes reads it (DNS-1123 label): lowercase alphanumerics and '-', at most 63. */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_MAX = 63;
export const DNS_SUBDOMAIN_MAX = 253;

export function isDnsLabel(value: string): boolean {
  return value.length <= DNS_LABEL_MAX && LABEL.test(value);
}

/** DNS-1123 subdomain: dot-separated labels (none empty, each at most 63), at most 253 in all. */
export function isDnsSubdomain(value: string, max = DNS_SUBDOMAIN_MAX): boolean {
  if (value.length === 0 || value.length > max) return false;
  return value.split('.').every(isDnsLabel);
}

export function dnsLabel(value: string, field: string): string {
  if (!isDnsLabel(value)) refuse(field, `must be a DNS label: 1 to ${DNS_LABEL_MAX} lowercase letters, digits or '-', starting and ending with a letter or digit`);
  return value;
}

export function dnsSubdomain(value: string, field: string, max = DNS_SUBDOMAIN_MAX): string {
  if (!isDnsSubdomain(value, max)) {
    refuse(field, `must be a DNS name: at most ${max} characters of dot-separated labels (lowercase letters, digits or '-', each starting and ending with a letter or digit)`);
  }
  return value;
}

/**
 * A cluster's name becomes a Kubernetes name (kubeconfig contexts, label values, kube-sim paths),
 * so it is a DNS-1123 subdomain short enough to be a label value too (63).
 */
export const CLUSTER_NAME_MAX = 63;
export function clusterName(value: string, field: string): string {
  return dnsSubdomain(value.trim(), field, CLUSTER_NAME_MAX);
}
