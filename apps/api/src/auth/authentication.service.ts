import { Injectable } from '@nestjs/common';
import { ApiTokenEntity, ApiTokenRepository, WorkspaceRepository } from '@flotilla/persistence';
import { tokenMatches, tokenPrefix } from '@flotilla/access';
import { DomainError, ErrorCode } from '../common/domain.errors';
import { RateLimitService } from './rate-limit.service';
import { ViewerContext } from './viewer';
import { WorkspaceRestriction, restrictionFrom } from './workspace-restriction';

const UNAUTHENTICATED = 'missing, invalid, expired or revoked API token';
/**
 * A token row (or its absence) is reused for this long before it is read again: one query less per
 * request. Revocation through this process takes effect at once; through another replica within this time.
 */
const TOKEN_CACHE_MS = 5000;

@Injectable()
export class AuthenticationService {
  /** Keyed by token prefix; a null row is a negative entry (no such token), so floods of made-up tokens stay off the database. */
  private readonly cache = new Map<string, { row: ApiTokenEntity | null; workspace?: WorkspaceRestriction; expiresAt: number }>();

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly limits: RateLimitService,
    private readonly workspaces: WorkspaceRepository,
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
    const { row, workspace } = await this.lookup(prefix, address);
    if (!row || !tokenMatches(token, row.tokenHash) || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return this.refuse(address);
    await this.limits.spendForToken(row.id, 1);
    void this.tokens.touchLastUsed(row.organizationId, row.id).catch(() => undefined);
    return { organizationId: row.organizationId, role: row.role, tokenId: row.id, actor: `token:${row.name}`, ...(workspace ? { workspace } : {}) };
  }

  /** Forgets a token at once in this process (revocation). */
  forget(tokenId: string): void {
    for (const [prefix, entry] of this.cache) if (entry.row?.id === tokenId) this.cache.delete(prefix);
  }

  private async refuse(address: string): Promise<never> {
    await this.limits.chargeAddress(address);
    throw new DomainError(ErrorCode.Unauthenticated, UNAUTHENTICATED);
  }

  /** A workspace token's reach is read with its row and cached as long (namespaces added reach it within TOKEN_CACHE_MS). */
  private async lookup(prefix: string, address: string): Promise<{ row: ApiTokenEntity | null; workspace?: WorkspaceRestriction }> {
    const now = Date.now();
    const hit = this.cache.get(prefix);
    if (hit && hit.expiresAt > now) return hit;
    await this.limits.refuseExhaustedAddress(address);
    const row = await this.tokens.findByPrefixForAuthentication(prefix);
    const workspace = row?.workspaceId ? restrictionFrom(await this.workspaces.reachOf(row.organizationId, row.workspaceId)) : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    const entry = { row, workspace, expiresAt: now + TOKEN_CACHE_MS };
    this.cache.set(prefix, entry);
    return entry;
  }

  /** Forgets every cached token of a workspace (its namespaces changed): their next request reads the new reach. */
  forgetWorkspace(workspaceId: string): void {
    for (const [prefix, entry] of this.cache) if (entry.row?.workspaceId === workspaceId) this.cache.delete(prefix);
  }
}
