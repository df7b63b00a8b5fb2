import { z } from 'zod';
import { NotifierError, type NotifierPort, type SmsMessage } from './notifier.port.js';

export interface HttpNotifierOptions {
  /** The operator's SMS gateway (in front of its SMS service: Alibaba Cloud SMS, Tencent Cloud SMS, its own). */
  url: string;
  token: string | undefined;
  timeoutMs: number;
}

const sentSchema = z.object({ messageId: z.string() });
const refusalSchema = z.object({ code: z.enum(['invalid_number', 'blocked', 'rate_limited']) });

/**
 * SMS through the operator's gateway. Contract (JSON): `POST {url}` with `{"to","template","params"}`
 * → `{"messageId"}`; a refusal is 4xx `{"code": "invalid_number" | "blocked" | "rate_limited"}`;
 * 429 and 5xx, or no answer in time, are `unavailable` (sent again later).
 */
export class HttpNotifier implements NotifierPort {
  constructor(private readonly options: HttpNotifierOptions) {}

  async send(message: SmsMessage): Promise<{ messageId: string }> {
    let res: Response;
    try {
      res = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
    } catch {
      throw new NotifierError('unavailable', 'the SMS gateway did not answer');
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (res.ok) {
      const sent = sentSchema.safeParse(body);
      if (!sent.success) throw new NotifierError('unavailable', 'the SMS gateway answered in an unknown shape');
      return sent.data;
    }
    const refusal = refusalSchema.safeParse(body);
    if (res.status < 500 && res.status !== 429 && refusal.success) throw new NotifierError(refusal.data.code, `the SMS gateway refused: ${refusal.data.code}`);
    throw new NotifierError(res.status === 429 ? 'rate_limited' : 'unavailable', `the SMS gateway answered HTTP ${res.status}`);
  }
}
