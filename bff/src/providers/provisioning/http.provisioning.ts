import { z } from 'zod';
import {
  type ProvisioningAnswer,
  ProvisioningError,
  type ProvisioningErrorCode,
  type ProvisioningPort,
  type ProvisioningRequest,
  type SimStatus,
  type SuspensionRequest,
} from './provisioning.port.js';

export interface HttpProvisioningOptions {
  /** The operator's provisioning gateway (in front of its BSS/HLR). */
  url: string;
  token: string | undefined;
  timeoutMs: number;
}

const SIM_STATUSES = ['inactive', 'active', 'suspended', 'stopped', 'unknown'] as const;
const answerSchema = z.object({ iccid: z.string(), msisdn: z.string(), status: z.enum(SIM_STATUSES), at: z.string() });
const statusSchema = z.object({ iccid: z.string(), msisdn: z.string().optional(), status: z.enum(SIM_STATUSES) });
const refusalSchema = z.object({ code: z.enum(['iccid_unknown', 'number_conflict', 'idempotency_conflict']) });

/**
 * The provisioning system behind the operator's gateway. Contract (JSON):
 * `POST {url}/activate`, `/suspend`, `/resume` and `/terminate` with `{"iccid","msisdn"(,"reason",
 * "keepEmergencyCalls"))}` and `Idempotency-Key` → `{"iccid","msisdn","status","at"}`; a refusal is 4xx `{"code": "iccid_unknown" |
 * "number_conflict" | "idempotency_conflict"}`; `GET {url}/sims/{iccid}` → `{"iccid","msisdn"?,"status"}`.
 * 429 and 5xx are `unavailable`, no answer in time is `timeout`: both are sent again with the same key.
 */
export class HttpProvisioning implements ProvisioningPort {
  constructor(private readonly options: HttpProvisioningOptions) {}

  activate(request: ProvisioningRequest): Promise<ProvisioningAnswer> {
    return this.change('activate', request, {});
  }

  suspend(request: SuspensionRequest): Promise<ProvisioningAnswer> {
    return this.change('suspend', request, { reason: request.reason, keepEmergencyCalls: request.keepEmergencyCalls ?? false });
  }

  resume(request: ProvisioningRequest): Promise<ProvisioningAnswer> {
    return this.change('resume', request, {});
  }

  terminate(request: ProvisioningRequest & { reason: string }): Promise<ProvisioningAnswer> {
    return this.change('terminate', request, { reason: request.reason });
  }

  async status(iccid: string): Promise<{ iccid: string; msisdn?: string; status: SimStatus }> {
    const body = await this.call(`/sims/${encodeURIComponent(iccid)}`, { method: 'GET' });
    const parsed = statusSchema.safeParse(body);
    if (!parsed.success) throw new ProvisioningError('unavailable', 'the provisioning gateway answered in an unknown shape');
    const { msisdn, ...rest } = parsed.data;
    return { ...rest, ...(msisdn ? { msisdn } : {}) };
  }

  private async change(operation: 'activate' | 'suspend' | 'resume' | 'terminate', request: ProvisioningRequest, extra: Record<string, string | boolean>): Promise<ProvisioningAnswer> {
    const body = await this.call(`/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': request.idempotencyKey },
      body: JSON.stringify({ iccid: request.iccid, msisdn: request.msisdn, ...extra }),
    });
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) throw new ProvisioningError('unavailable', 'the provisioning gateway answered in an unknown shape');
    return parsed.data;
  }

  private async call(path: string, init: RequestInit): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.options.url.replace(/\/$/, '')}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      // No answer in time may still have been done: the same key is sent again.
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new ProvisioningError(timedOut ? 'timeout' : 'unavailable', timedOut ? 'no answer from the provisioning gateway in time' : 'the provisioning gateway did not answer');
    }
    if (res.status === 429 || res.status >= 500) throw new ProvisioningError('unavailable', `provisioning gateway busy (HTTP ${res.status})`);
    const body: unknown = await res.json().catch(() => undefined);
    if (res.status >= 400) {
      const refusal = refusalSchema.safeParse(body);
      const code: ProvisioningErrorCode = refusal.success ? refusal.data.code : 'unavailable';
      throw new ProvisioningError(code, `the provisioning gateway refused (HTTP ${res.status}${refusal.success ? `, ${code}` : ''})`);
    }
    return body;
  }
}
