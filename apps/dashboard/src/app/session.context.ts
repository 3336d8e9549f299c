import { createContext, useContext } from 'react';
import type { Role } from '../api/types';

export interface Session {
  role: Role;
  organization: { id: string; name: string };
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
