import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../../../../libs/config/src';
import { ApiTokenEntity, ApiTokenRepository } from '../../../../libs/persistence/src';
import { tokenMatches, tokenPrefix } from '../../../../libs/access/src';
import { DomainError, ErrorCode } from '../common/domain.errors';
import { APP_CONFIG, REDIS } from '../infrastructure/tokens';
import { ViewerContext } from './viewer';

const UNAUTHENTICATED = 'missing, invalid, expired or revoked API token';
/**
 * A token row is reused for this long before it is read again: one query less per request.
 * Revocation through this process takes effect at once; through another replica within this time.
 */
const TOKEN_CACHE_MS = 5000;

@Injectable()
export class AuthenticationService {
  private readonly cache = new Map<string, { row: ApiTokenEntity | null; expiresAt: number }>();

  constructor(
    private readonly tokens: ApiTokenRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One message for every failure, so a caller cannot tell a revoked token from a made-up one. */
  async authenticate(authorization: string | undefined): Promise<ViewerContext> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const prefix = token ? tokenPrefix(token) : null;
    if (!token || !prefix) throw new DomainError(ErrorCode.Unauthenticated, UNAUTHENTICATED);
    const row = await this.lookup(prefix);
    if (!row || !tokenMatches(token, row.tokenHash) || row.revokedAt || row.expiresAt.getTime() <= Date.now()) {
      throw new DomainError(ErrorCode.Unauthenticated, UNAUTHENTICATED);
    }
    await this.enforceRateLimit(row.id);
    void this.tokens.touchLastUsed(row.organizationId, row.id).catch(() => undefined);
    return { organizationId: row.organizationId, role: row.role, tokenId: row.id, actor: `token:${row.name}` };
  }

  /** Forgets a token at once in this process (revocation). */
  forget(tokenId: string): void {
    for (const [prefix, entry] of this.cache) if (entry.row?.id === tokenId) this.cache.delete(prefix);
  }

  private async lookup(prefix: string): Promise<ApiTokenEntity | null> {
    const now = Date.now();
    const hit = this.cache.get(prefix);
    if (hit && hit.expiresAt > now) return hit.row;
    const row = await this.tokens.findByPrefixForAuthentication(prefix);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(prefix, { row, expiresAt: now + TOKEN_CACHE_MS });
    return row;
  }

  /** Fixed one-minute windows in Redis, so the limit holds across API replicas. */
  private async enforceRateLimit(tokenId: string): Promise<void> {
    const limit = this.config.api.rateLimitPerMinute;
    if (limit <= 0) return;
    const key = `${this.config.queue.prefix}:ratelimit:${tokenId}:${Math.floor(Date.now() / 60_000)}`;
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, 120).exec()) as [[null, number], unknown];
    if (count > limit) throw new DomainError(ErrorCode.RateLimited, `rate limit of ${limit} requests per minute exceeded for this token`);
  }
}
