import { SetMetadata } from '@nestjs/common';
import { Role } from '@flotilla/persistence';

export const REQUIRED_ROLE = 'flotilla:required-role';

/** The least role a mutation needs. Queries without it need any valid token (VIEWER). */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);
