import { CLUSTER_PAGE_CURSOR } from '../../../../libs/persistence/src';
import { decodeCursor } from '../../../../libs/validation/src';
import { GraphqlErrorFilter } from '../common/graphql-error.filter';
import { pageSize } from '../common/pagination';

const errors = new GraphqlErrorFilter();

/**
 * The page arguments of a Cluster connection field (upgrades, inspections), checked before the
 * page's DataLoader runs: a malformed cursor is the caller's error (BAD_USER_INPUT on `after`), not a
 * failure of the batch every other cluster's page shares. Nest applies exception filters to field
 * resolvers only when the GraphQL module enables them, so the error is mapped here, the same way
 * the filter maps it everywhere else.
 */
export function clusterPageArgs(first: number | undefined | null, after: string | undefined | null, maxPageSize: number): { size: number; after: string | null } {
  try {
    const size = pageSize(first, maxPageSize);
    if (after) decodeCursor(after, CLUSTER_PAGE_CURSOR, 'after');
    return { size, after: after || null };
  } catch (err) {
    throw errors.catch(err);
  }
}
