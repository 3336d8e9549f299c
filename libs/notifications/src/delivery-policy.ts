/**
 * How a delivery is attempted and retried: the one statement of the limits and the schedule.
 *
 * Retried: connection errors, timeouts, 408, 429 and every 5xx. Not retried: 2xx (delivered),
 * 3xx (redirects are never followed: a failure), other 4xx (the receiver refused the request).
 */
export const WEBHOOK_LIMITS = {
  /** Default of FLOTILLA_WEBHOOK_TIMEOUT_MS: connect + send + response headers and body. */
  timeoutMs: 5000,
  /** A body larger than this is not sent (the event is recorded as failed, never truncated). */
  maxRequestBytes: 256 * 1024,
  /** At most this much of a response is read (then the connection is dropped). */
  maxResponseBytes: 64 * 1024,
  /** Default of FLOTILLA_WEBHOOK_MAX_ATTEMPTS. */
  maxAttempts: 8,
  /** Default of FLOTILLA_WEBHOOK_RETRY_BASE_MS: the first retry waits about this long. */
  retryBaseMs: 10_000,
  /** No wait between attempts is longer. */
  maxRetryDelayMs: 60 * 60_000,
  /** Events and their deliveries are kept this long, then pruned (the worker, hourly). */
  eventRetentionDays: 30,
} as const;

export type DeliveryVerdict = 'delivered' | 'retry' | 'give-up';

/** What a response status (or null: no response — connection error, timeout, refused address) means. */
export function verdictFor(status: number | null): DeliveryVerdict {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'give-up';
}

/**
 * The wait before retry number `retry` (1 = the first retry): exponential (base · 2^(retry-1)),
 * capped, with "equal jitter" — half fixed, half random — so a receiver that was down is not hit
 * by every delivery at the same instant when it comes back, and no wait is shorter than half the step.
 */
export function retryDelayMs(retry: number, baseMs: number, random: () => number = Math.random, maxMs: number = WEBHOOK_LIMITS.maxRetryDelayMs): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(retry - 1, 30)));
  return Math.floor(step / 2 + random() * (step / 2));
}

/** The BullMQ back-off type of the webhook queue; the worker's webhook processor computes it with retryDelayMs. */
export const WEBHOOK_BACKOFF_TYPE = 'webhook';
