import { Registry1764000000000 } from './1764000000000-registry';

/** Every migration, in order. A new migration is added here as well as in its file. */
export const ALL_MIGRATIONS = [Registry1764000000000];
