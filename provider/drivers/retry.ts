// Retry policy as data (after ky): which methods and outcomes are retried, and how long to wait.
// Shared by every API client; each passes its own policy.

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly limit: number;
  /** Statuses worth retrying for idempotent requests. */
  readonly statusCodes: readonly number[];
  /** Statuses that prove the server did nothing, so even a POST may be retried (rate limiting). */
  readonly safeForAnyMethod: readonly number[];
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Cap on a server-requested wait (Retry-After / X-RateLimit-Reset). */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  limit: 8,
  statusCodes: [408, 429, 500, 502, 503, 504],
  safeForAnyMethod: [429],
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 60_000,
};

/** Exponential backoff with full jitter: a random wait up to base * 2^attempt, capped. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

/**
 * The wait a server asked for: `Retry-After` (seconds or an HTTP date) or `X-RateLimit-Reset`
 * (epoch seconds). Undefined when it gave none.
 */
export function serverRequestedWaitMs(
  headers: Record<string, string | undefined>,
  now = Date.now(),
): number | undefined {
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers["x-ratelimit-reset"]);
  if (headers["x-ratelimit-reset"] !== undefined && Number.isFinite(reset))
    return Math.max(0, reset * 1000 - now);
  return undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
