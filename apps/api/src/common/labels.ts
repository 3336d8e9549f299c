import { badInput } from './domain.errors';

// Kubernetes label syntax: an optional DNS-subdomain prefix and a name of up to 63 characters.
const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateLabels(labels: Array<{ key: string; value: string }> | null | undefined, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  (labels ?? []).forEach((l, i) => {
    const at = `${field}[${i}]`;
    const parts = l.key.split('/');
    if (parts.length > 2) throw badInput(`${at}.key`, `"${l.key}" is not a valid label key`);
    const [prefix, name] = parts.length === 2 ? parts : [null, parts[0]];
    if (prefix !== null && (prefix.length > 253 || !PREFIX.test(prefix))) throw badInput(`${at}.key`, `"${l.key}" has an invalid prefix (a DNS subdomain)`);
    if (!NAME.test(name)) throw badInput(`${at}.key`, `"${l.key}" is not a valid label key (up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric)`);
    if (l.value !== '' && !NAME.test(l.value)) throw badInput(`${at}.value`, `"${l.value}" is not a valid label value`);
    if (l.key in out) throw badInput(`${at}.key`, `duplicate label key "${l.key}"`);
    out[l.key] = l.value;
  });
  return out;
}

export function labelsToList(labels: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.keys(labels)
    .sort()
    .map((key) => ({ key, value: labels[key] }));
}
