/**
 * Retry with exponential backoff and jitter, abortable. Used inside one job attempt for short RPC
 * hiccups; longer outages fall through to BullMQ's own attempts and backoff.
 */

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Total tries, the first one included. */
  attempts: number;
  /** Delay before the second try; doubles each time. */
  baseDelayMs: number;
  /** Upper bound of a single delay. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The delay before try number `attempt + 1` (attempt counts from 1), with ±20 % jitter. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.8 + Math.random() * 0.4));
}

/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, or the attempts are spent; the last error is
 * thrown. `onRetry` hears about each retry (for logs).
 */
export async function retryWithBackoff<T>(options: {
  fn: (attempt: number) => Promise<T>;
  shouldRetry: (error: unknown) => boolean;
  policy?: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await options.fn(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !options.shouldRetry(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(policy, attempt);
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}
