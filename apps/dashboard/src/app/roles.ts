import type { Role } from '../api/types';

// What each role may do, as the API enforces it (README "Access"): the dashboard shows no
// button its viewer cannot use.
const RANK: Record<Role, number> = { VIEWER: 0, OPERATOR: 1, ADMIN: 2 };

/** Scans, upgrades, inspections, cluster changes. */
export const canOperate = (role: Role): boolean => RANK[role] >= RANK.OPERATOR;
/** Policies, tokens, schedules, the audit log. */
export const canAdminister = (role: Role): boolean => RANK[role] >= RANK.ADMIN;
