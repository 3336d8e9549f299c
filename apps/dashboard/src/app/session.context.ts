import { createContext, useContext } from 'react';
import type { Role } from '../api/types';

export interface Session {
  /** Least privilege (VIEWER) until the API has said who the token belongs to. */
  role: Role;
  /** The API has answered (or an earlier answer of this tab is in use). */
  known: boolean;
  organization: { id: string; name: string };
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
