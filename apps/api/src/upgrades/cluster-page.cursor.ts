import { decodeCursor } from '../../../../libs/persistence/src';
import { badInput } from '../common/domain.errors';
import { GraphqlErrorFilter } from '../common/graphql-error.filter';
import { pageSize } from '../common/pagination';

const errors = new GraphqlErrorFilter();

/**
 * The page arguments of a Cluster connection field (upgrades, inspections), checked before the
 * page's DataLoader runs: a malformed cursor is the caller's error (BAD_USER_INPUT on `after`), not a
 * failure of the batch every other cluster's page shares. Nest applies exception filters to field
 * resolvers only when the GraphQL module enables them, so the domain error is mapped here, the same
 * way the filter maps it everywhere else.
 */
export function clusterPageArgs(first: number | undefined | null, after: string | undefined | null, maxPageSize: number): { size: number; after: string | null } {
  try {
    const size = pageSize(first, maxPageSize);
    if (after) checkCursor(after);
    return { size, after: after || null };
  } catch (err) {
    throw errors.catch(err);
  }
}

function checkCursor(after: string): void {
  let ok = false;
  try {
    const [createdAt] = decodeCursor(after);
    ok = typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')));
  } catch {
    ok = false;
  }
  if (!ok) throw badInput('after', 'invalid pagination cursor: pass an endCursor returned by the previous page');
}
