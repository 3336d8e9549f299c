import { Role } from '@flotilla/persistence';
import type { WorkspaceRestriction } from './workspace-restriction';

/** Who is calling: resolved from the bearer token once per request. */
export interface ViewerContext {
  organizationId: string;
  role: Role;
  tokenId: string;
  /** For the audit log: which token acted. */
  actor: string;
  /** Set for a token restricted to one workspace: it sees and acts on only that workspace's clusters and namespaces. */
  workspace?: WorkspaceRestriction;
}

const RANK: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

export function roleAllows(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}
