import { DNS_SUBDOMAIN_MAX, isDnsSubdomain } from './dns-name';
import { refuse } from './input-validation.error';

export const LABELS_MAX = 64;
export const LABEL_NAME_MAX = 63;
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why a string is not a Kubernetes label key (optional DNS-subdomain prefix and '/', then a name of at most 63), or null. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? null : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== null && !isDnsSubdomain(prefix, DNS_SUBDOMAIN_MAX)) return `is not a valid label key: its prefix before "/" must be a DNS name of at most ${DNS_SUBDOMAIN_MAX} characters`;
  if (name.length > LABEL_NAME_MAX || !NAME.test(name)) {
    return `is not a valid label key (up to ${LABEL_NAME_MAX} letters, digits, '-', '_' or '.', starting and ending with a letter or digit, after an optional DNS prefix and "/")`;
  }
  return null;
}

export function isLabelKey(key: string): boolean {
  return labelKeyProblem(key) === null;
}

export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= LABEL_NAME_MAX && NAME.test(value));
}

/**
 * A cluster's labels: at most 64, Kubernetes label syntax for keys and values, no key twice.
 * Built through a Map, so "constructor", "toString" or "hasOwnProperty" are keys like any other
 * (an object literal would find them on its prototype and call them duplicates).
 */
export function kubeLabels(labels: ReadonlyArray<{ key: string; value: string }> | null | undefined, field: string): Record<string, string> {
  const list = labels ?? [];
  if (list.length > LABELS_MAX) refuse(field, `must hold at most ${LABELS_MAX} labels`);
  const seen = new Map<string, string>();
  list.forEach((l, i) => {
    const problem = labelKeyProblem(l.key);
    if (problem) refuse(`${field}[${i}].key`, problem);
    if (!isLabelValue(l.value)) refuse(`${field}[${i}].value`, `is not a valid label value: empty, or up to ${LABEL_NAME_MAX} letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    if (seen.has(l.key)) refuse(`${field}[${i}].key`, 'is a duplicate label key');
    seen.set(l.key, l.value);
  });
  // fromEntries defines own properties, so even a key such as "constructor" stays plain data.
  return Object.fromEntries(seen);
}
