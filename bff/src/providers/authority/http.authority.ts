import { z } from 'zod';
import type { AuthorityAnswer, AuthorityPort, AuthorityQuery, AuthorityResult } from './authority.port.js';
import { AuthorityCallError, DEFAULT_RETRY, type RetryPolicy, postJson, withRetries } from './http.js';

export interface HttpAuthorityOptions {
  /** The operator's gateway: receives POST {name, idNumber, photo?}, answers {outcome, portrait?}. */
  url: string;
  /** Sent as a bearer token when set. */
  token?: string;
  retry?: RetryPolicy;
}

const responseSchema = z.object({
  outcome: z.enum(['match', 'mismatch', 'no_record', 'no_photo', 'source_error', 'rate_limited']),
  portrait: z.object({ similarity: z.number().min(0).max(100), match: z.boolean() }).optional(),
  transactionId: z.string().max(100).optional(),
});

/**
 * A generic adapter for an operator's own gateway to the national ID service. Its contract is the
 * port itself, as JSON: `POST url {"name","idNumber","photo"?}` (photo: base64 JPEG, for the three-element
 * check) → `{"outcome": …, "portrait"?: {"similarity": 0-100, "match": bool}, "transactionId"?: "…"}`.
 */
export class HttpAuthority implements AuthorityPort {
  constructor(private readonly options: HttpAuthorityOptions) {}

  verifyIdentity(query: AuthorityQuery, signal?: AbortSignal): Promise<AuthorityResult> {
    return withRetries('http', this.options.retry ?? DEFAULT_RETRY, signal, (attemptSignal) => this.call(query, attemptSignal));
  }

  private async call(query: AuthorityQuery, signal: AbortSignal): Promise<AuthorityAnswer> {
    const body = await postJson(this.options.url, {
      signal,
      body: JSON.stringify({ name: query.name, idNumber: query.idNumber, ...(query.photo ? { photo: query.photo.toString('base64') } : {}) }),
      headers: {
        'content-type': 'application/json',
        ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
      },
    });
    if (body === undefined) return { outcome: 'source_error' };
    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) throw new AuthorityCallError('source_error', 'unexpected response shape');
    if (parsed.data.outcome === 'rate_limited' || parsed.data.outcome === 'source_error') {
      throw new AuthorityCallError(parsed.data.outcome, `gateway answered ${parsed.data.outcome}`);
    }
    return parsed.data;
  }
}
