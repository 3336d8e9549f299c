import type { Violation } from './policy.types';

/** Deterministic order: kind, namespace, name, message. */
export function sortViolations(violations: Violation[]): Violation[] {
  return violations.sort(
    (a, b) =>
      compare(a.kind, b.kind) || compare(a.namespace ?? '', b.namespace ?? '') || compare(a.name, b.name) || compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "a", "b" and "c" — for messages that list names. */
export function quoteList(items: readonly string[]): string {
  const quoted = items.map((i) => `"${i}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
