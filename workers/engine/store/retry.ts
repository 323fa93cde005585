// Retrying a request: exponential backoff with jitter, Retry-After, and a separate budget for
// re-resolving expired signed URLs. Time is injectable so tests never sleep.

import { abortedError, isRetryable, StoreError, toStoreError } from './errors.ts';

export interface RetryPolicy {
  /** Tries per request, the first included. */
  readonly maxAttempts: number;
  /** Delay scale: attempt n waits about baseDelayMs · 2^(n-1), half of it jittered. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Re-resolves (fresh signed URL after a 403) per request. */
  readonly maxRefreshes: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, maxRefreshes: 3 };

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms`; rejects with a StoreError `aborted` when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(abortedError('The download'));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortedError('The download'));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

/** "Equal jitter": half the exponential delay fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return full / 2 + random() * (full / 2);
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** What is being fetched, for messages. */
  readonly what: string;
  /**
   * Called on a 403: gets a fresh URL and returns true when a retry can use it. Refreshes have
   * their own budget and no backoff (an expired link is not an overloaded server).
   */
  readonly refresh?: (e: StoreError) => Promise<boolean>;
  /** Told about each retry (for diagnostics and tests). */
  readonly onRetry?: (e: StoreError, attempt: number, delayMs: number) => void;
}

export async function withRetry<T>(attempt: () => Promise<T>, o: RetryOptions): Promise<T> {
  let failures = 0;
  let refreshes = 0;
  for (;;) {
    if (o.signal.aborted) throw abortedError('The download');
    try {
      return await attempt();
    } catch (thrown) {
      if (o.signal.aborted) throw abortedError('The download');
      let e = toStoreError(thrown, o.what);
      if (e.code === 'access_denied' && e.status === 403 && o.refresh && refreshes < o.policy.maxRefreshes) {
        refreshes++;
        try {
          if (await o.refresh(e)) continue;
        } catch (r) {
          e = toStoreError(r, o.what); // a failed re-resolve is retried (or not) like any failure
        }
      }
      failures++;
      if (!isRetryable(e)) throw e;
      if (failures >= o.policy.maxAttempts) {
        // Say that the retries are over, so nobody waits for one more.
        throw new StoreError(e.code, `${e.message}; Pakar tried ${failures} times and stopped`, { status: e.status, detail: e.detail, retryAfterMs: e.retryAfterMs, cause: e });
      }
      const delay = Math.max(backoffDelay(failures, o.policy, o.clock.random), Math.min(e.retryAfterMs ?? 0, o.policy.maxDelayMs));
      o.onRetry?.(e, failures, delay);
      await o.clock.sleep(delay, o.signal);
    }
  }
}
