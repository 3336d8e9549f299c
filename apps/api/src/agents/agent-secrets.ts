import { randomBytes } from 'node:crypto';
import { hashToken } from '@flotilla/access';

/**
 * The two secrets of an agent: the one-time registration token an operator hands to the cluster,
 * and the credential the agent gets for it. High-entropy random values, stored only as SHA-256
 * (hashToken, like API tokens); the prefix says which is which in a leaked log line.
 */
export const REGISTRATION_PREFIX = 'flt_reg_';
export const AGENT_CREDENTIAL_PREFIX = 'flt_agent_';
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function issueAgentSecret(prefix: string): { secret: string; hash: Buffer } {
  const secret = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashToken(secret) };
}

/** The hash of a presented secret of that kind, or null when it is malformed (refused before any query). */
export function hashPresented(prefix: string, presented: string | undefined | null): Buffer | null {
  if (!presented || !presented.startsWith(prefix) || !SECRET.test(presented.slice(prefix.length))) return null;
  return hashToken(presented);
}
