import { Injectable } from '@nestjs/common';
import { ApiTokenEntity, ApiTokenRepository } from '@flotilla/persistence';
import { tokenMatches, tokenPrefix } from '@flotilla/access';
import { DomainError, ErrorCode } from '../common/domain.errors';
import { RateLimitService } from './rate-limit.service';
import { ViewerContext } from './viewer';

const UNAUTHENTICATED = 'missing, invalid, expired or revoked API token';
/**
 * A token row (or its absence) is reused for this long before it is read again: one query less per
 * request. Revocation through this process takes effect at once; through another replica within this time.
 */
const TOKEN_CACHE_MS = 5000;

@Injectable()
export class AuthenticationService {
  /** Keyed by token prefix; a null row is a negative entry (no such token), so floods of made-up tokens stay off the database. */
  private readonly cache = new Map<string, { row: ApiTokenEntity | null; expiresAt: number }>();

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly limits: RateLimitService,
  ) {}

  /**
   * One message for every failure, so a caller cannot tell a revoked token from a made-up one.
   * Every failure counts against the caller's address; an address over its budget is refused before
   * its token is looked up. A valid token spends one request from its own budget.
   */
  async authenticate(authorization: string | undefined, address: string): Promise<ViewerContext> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const prefix = token ? tokenPrefix(token) : null;
    if (!token || !prefix) return this.refuse(address);
    const row = await this.lookup(prefix, address);
    if (!row || !tokenMatches(token, row.tokenHash) || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return this.refuse(address);
    await this.limits.spendForToken(row.id, 1);
    void this.tokens.touchLastUsed(row.organizationId, row.id).catch(() => undefined);
    return { organizationId: row.organizationId, role: row.role, tokenId: row.id, actor: `token:${row.name}` };
  }

  /** Forgets a token at once in this process (revocation). */
  forget(tokenId: string): void {
    for (const [prefix, entry] of this.cache) if (entry.row?.id === tokenId) this.cache.delete(prefix);
  }

  private async refuse(address: string): Promise<never> {
    await this.limits.chargeAddress(address);
    throw new DomainError(ErrorCode.Unauthenticated, UNAUTHENTICATED);
  }

  private async lookup(prefix: string, address: string): Promise<ApiTokenEntity | null> {
    const now = Date.now();
    const hit = this.cache.get(prefix);
    if (hit && hit.expiresAt > now) return hit.row;
    await this.limits.refuseExhaustedAddress(address);
    const row = await this.tokens.findByPrefixForAuthentication(prefix);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(prefix, { row, expiresAt: now + TOKEN_CACHE_MS });
    return row;
  }
}
