import type { AuthorityAnswer, AuthorityOutcome, AuthorityResult } from './authority.port.js';

/** A vendor call that failed in a way worth one more try (network, 5xx, throttling). */
export class AuthorityCallError extends Error {
  constructor(
    readonly outcome: Extract<AuthorityOutcome, 'source_error' | 'rate_limited'>,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthorityCallError';
  }
}

export interface RetryPolicy {
  attempts: number;
  /** First back-off; doubles on each retry. */
  backoffMs: number;
  /** Limit of one attempt. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 200, timeoutMs: 4000 };

/**
 * Runs one vendor call with a timeout per attempt and back-off between attempts. A call that still
 * fails is reported as its outcome (source_error or rate_limited), never turned into an answer.
 */
export async function withRetries(
  source: string,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (signal: AbortSignal) => Promise<AuthorityAnswer>,
): Promise<AuthorityResult> {
  let last: AuthorityCallError | undefined;
  for (let i = 0; i < policy.attempts; i += 1) {
    if (signal?.aborted) break;
    // An explicit controller and timer: a timeout signal held only inside AbortSignal.any() can be
    // garbage-collected before it fires (Node 20), and the attempt would then wait for ever.
    const perAttempt = new AbortController();
    const timer = setTimeout(() => perAttempt.abort(new Error('attempt timed out')), policy.timeoutMs);
    const cancel = (): void => perAttempt.abort(signal?.reason);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return { ...(await attempt(perAttempt.signal)), source };
    } catch (error) {
      last = error instanceof AuthorityCallError ? error : new AuthorityCallError('source_error', 'request failed', { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
    }
    if (i < policy.attempts - 1) await new Promise((resolve) => setTimeout(resolve, policy.backoffMs * 2 ** i));
  }
  return { outcome: last?.outcome ?? 'source_error', source };
}

/**
 * POSTs and parses JSON. HTTP 429 and 5xx become retryable call errors; another 4xx (credentials,
 * request) will not change on a retry, so it comes back as `undefined` for the adapter to answer.
 */
export async function postJson(url: string, init: { headers: Record<string, string>; body: string; signal: AbortSignal }): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', ...init });
  if (res.status === 429) throw new AuthorityCallError('rate_limited', 'HTTP 429');
  if (res.status >= 500) throw new AuthorityCallError('source_error', `HTTP ${res.status}`);
  if (res.status >= 400) return undefined;
  try {
    return (await res.json());
  } catch (error) {
    throw new AuthorityCallError('source_error', 'response is not JSON', { cause: error });
  }
}
