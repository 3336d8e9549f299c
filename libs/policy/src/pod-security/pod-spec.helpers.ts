import type { PodSpec } from './pod-security.types';

/** A plain object or undefined (Go: a nil pointer to a struct). */
export function obj(value: unknown): Record<string, any> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, any>) : undefined;
}

export function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** Go's string zero value: absent or non-string reads as "". */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export interface ContainerView {
  name: string;
  raw: Record<string, any>;
  securityContext?: Record<string, any>;
}

// Every check walks the containers; build the view once per pod spec.
const containerCache = new WeakMap<PodSpec, ContainerView[]>();

/** Every container of the pod, in upstream's order: initContainers, containers, ephemeralContainers. */
export function containersOf(spec: PodSpec): ContainerView[] {
  const cached = containerCache.get(spec);
  if (cached) return cached;
  const out: ContainerView[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const item of list(spec[field])) {
      const raw = obj(item) ?? {};
      out.push({ name: str(raw.name), raw, securityContext: obj(raw.securityContext) });
    }
  }
  containerCache.set(spec, out);
  return out;
}

export function podSecurityContext(spec: PodSpec): Record<string, any> | undefined {
  return obj(spec.securityContext);
}

/** spec.os.name == windows (pod OS-based restrictions, 1.25+). */
export function isWindowsPod(spec: PodSpec): boolean {
  return obj(spec.os)?.name === 'windows';
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** Go's joinQuote: `"a", "b"`. */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

/** Go's %q for a string (JSON escaping matches it for the printable cases that occur). */
export function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** sets.NewString(...).List(): unique, sorted bytewise. */
export function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** "pod", `container "a"` / `containers "a", "b"` — the subject of a sentence naming what set a field. */
export function containersPhrase(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}
