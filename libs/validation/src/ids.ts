/** The one spelling of an id Flotilla issues (PostgreSQL uuid, any version). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids come from clients: a malformed one is simply an id nothing has, answered exactly like an
 * unknown one (null from a query, NOT_FOUND from a mutation), never a database error.
 */
export function isUuid(id: unknown): id is string {
  return typeof id === 'string' && UUID_PATTERN.test(id);
}
