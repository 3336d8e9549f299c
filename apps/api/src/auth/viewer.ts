import { Role } from '@flotilla/persistence';

/** Who is calling: resolved from the bearer token once per request. */
export interface ViewerContext {
  organizationId: string;
  role: Role;
  tokenId: string;
  /** For the audit log: which token acted. */
  actor: string;
}

const RANK: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

export function roleAllows(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}
