import { badInput } from './domain.errors';

export const DEFAULT_PAGE_SIZE = 50;

/** `first` defaults to 50 and may not exceed the configured maximum (a bound on query cost). */
export function pageSize(first: number | null | undefined, max: number): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 1) throw badInput('first', 'must be a positive integer');
  if (first > max) throw badInput('first', `must be at most ${max}`);
  return first;
}
