import { z } from 'zod';
import { BillingError, type BillingPort, type RefundAnswer, type RefundRequest } from './billing.port.js';

export interface HttpBillingOptions {
  /** The operator's billing gateway. */
  url: string;
  token: string | undefined;
  timeoutMs: number;
}

const answerSchema = z.object({ refundId: z.string().min(1), amountFen: z.number().int().min(0) });
const refusalSchema = z.object({ code: z.enum(['unknown_number', 'idempotency_conflict']) });
const countSchema = z.object({ active: z.number().int().min(0) });

/**
 * The billing system behind the operator's gateway. Contract (JSON): `POST {url}/refunds` with
 * `{"msisdn","iccid","reason"}` and `Idempotency-Key` → `{"refundId","amountFen"}`; a refusal is 4xx
 * `{"code": "unknown_number" | "idempotency_conflict"}`. `POST {url}/holders/cards` with
 * `{"idNumber"}` (in the body, never the address) → `{"active"}`. 429 and 5xx are `unavailable`, no
 * answer in time is `timeout`: both may be sent again (a refund with the same key).
 */
export class HttpBilling implements BillingPort {
  constructor(private readonly options: HttpBillingOptions) {}

  async refundBalance(request: RefundRequest): Promise<RefundAnswer> {
    const body = await this.#call('/refunds', { msisdn: request.msisdn, iccid: request.iccid, reason: request.reason }, { 'idempotency-key': request.idempotencyKey });
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) throw new BillingError('unavailable', 'the billing gateway answered in an unknown shape');
    return parsed.data;
  }

  async activeCards(request: { idNumber: string }): Promise<{ active: number }> {
    const parsed = countSchema.safeParse(await this.#call('/holders/cards', { idNumber: request.idNumber }, {}));
    if (!parsed.success) throw new BillingError('unavailable', 'the billing gateway answered in an unknown shape');
    return parsed.data;
  }

  async #call(path: string, payload: Record<string, string>, headers: Record<string, string>): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.options.url.replace(/\/$/, '')}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers, ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new BillingError(timedOut ? 'timeout' : 'unavailable', timedOut ? 'no answer from the billing gateway in time' : 'the billing gateway did not answer');
    }
    if (res.status === 429 || res.status >= 500) throw new BillingError('unavailable', `billing gateway busy (HTTP ${res.status})`);
    const body: unknown = await res.json().catch(() => undefined);
    if (res.status >= 400) {
      const refusal = refusalSchema.safeParse(body);
      throw new BillingError(refusal.success ? refusal.data.code : 'unavailable', `the billing gateway refused (HTTP ${res.status})`);
    }
    return body;
  }
}
