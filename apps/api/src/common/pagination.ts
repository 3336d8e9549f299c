import { CLUSTER_PAGE_CURSOR, decodeCursor } from '@flotilla/persistence';
import { badInput } from './domain.errors';

export const DEFAULT_PAGE_SIZE = 50;

/** `first` defaults to 50 and may not exceed the configured maximum (a bound on query cost). */
export function pageSize(first: number | null | undefined, max: number): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 1) throw badInput('first', 'must be a positive integer');
  if (first > max) throw badInput('first', `must be at most ${max}`);
  return first;
}

/**
 * The page arguments of a connection field that pages per parent (a cluster's upgrades or
 * inspections), checked before the page's DataLoader runs: a malformed cursor is the caller's error
 * (BAD_USER_INPUT on `after`), not a failure of the batch every other parent's page shares.
 */
export function parentPageArgs(first: number | undefined | null, after: string | undefined | null, maxPageSize: number): { size: number; after: string | null } {
  const size = pageSize(first, maxPageSize);
  if (after) decodeCursor(after, CLUSTER_PAGE_CURSOR, 'after');
  return { size, after: after || null };
}

