import { Inject, Injectable } from '@nestjs/common';
import type { RedisConnection } from '@flotilla/queue';
import { AppConfig } from '@flotilla/config';
import { DomainError, ErrorCode } from '../common/domain.errors';
import { APP_CONFIG, REDIS } from '@flotilla/infrastructure';

const WINDOW_MS = 60_000;

/** RATE_LIMITED, with the seconds after which the caller's window opens again (the Retry-After header). */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(ErrorCode.RateLimited, message);
  }
}

/**
 * Fixed one-minute windows in Redis, so a limit holds across API replicas. Two budgets:
 * - per token: the query cost it may spend (a request spends one when it arrives, then the cost of
 *   its operation before it runs), so a thousand aliased reads cost what a thousand requests cost;
 * - per client address: requests that carry no valid token. It is read before any database lookup
 *   of a token, so a flood of made-up tokens is refused by Redis alone.
 */
@Injectable()
export class RateLimitService {
  constructor(
    @Inject(REDIS) private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Spends `amount` of the token's budget; refuses once this minute's budget is gone. */
  async spendForToken(tokenId: string, amount: number): Promise<void> {
    const limit = this.config.api.rateLimitPerMinute;
    if (limit <= 0 || amount <= 0) return;
    const spent = await this.incrementBy(`token:${tokenId}`, amount);
    if (spent > limit) {
      throw new RateLimitedError(`rate limit of ${limit} query cost per minute exceeded for this token`, retryAfterSeconds());
    }
  }

  /** Refuses an address whose budget of unauthenticated requests is already gone. */
  async refuseExhaustedAddress(address: string): Promise<void> {
    const limit = this.config.api.anonymousRateLimitPerMinute;
    if (limit <= 0) return;
    const used = Number((await this.redis.get(this.key(`address:${address}`))) ?? 0);
    if (used >= limit) throw this.addressLimited(limit);
  }

  /** Counts one request without a valid token against its address; refuses when that was one too many. */
  async chargeAddress(address: string): Promise<void> {
    const limit = this.config.api.anonymousRateLimitPerMinute;
    if (limit <= 0) return;
    if ((await this.incrementBy(`address:${address}`, 1)) > limit) throw this.addressLimited(limit);
  }

  private addressLimited(limit: number): RateLimitedError {
    return new RateLimitedError(`rate limit of ${limit} unauthenticated requests per minute exceeded for this address`, retryAfterSeconds());
  }

  private async incrementBy(subject: string, amount: number): Promise<number> {
    const key = this.key(subject);
    const [[, count]] = (await this.redis.multi().incrby(key, amount).pexpire(key, 2 * WINDOW_MS).exec()) as [[null, number], unknown];
    return count;
  }

  private key(subject: string): string {
    return `${this.config.queue.prefix}:ratelimit:${subject}:${Math.floor(Date.now() / WINDOW_MS)}`;
  }
}

function retryAfterSeconds(): number {
  return Math.max(1, Math.ceil((WINDOW_MS - (Date.now() % WINDOW_MS)) / 1000));
}
