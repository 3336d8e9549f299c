export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  /** Set for service accounts. */
  serviceAccount?: { namespace: string; name: string };
}

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
