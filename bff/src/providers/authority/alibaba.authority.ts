import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuthorityOutcome, AuthorityPort, AuthorityQuery, AuthorityResult } from './authority.port.js';
import { AuthorityCallError, DEFAULT_RETRY, type RetryPolicy, withRetries } from './http.js';
import { rpcSignature } from './signing.js';

export interface AlibabaOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** https://cloudauth.aliyuncs.com by default; a local fake in tests. */
  endpoint: string;
  retry?: RetryPolicy;
  now?: () => number;
}

const responseSchema = z.object({
  Code: z.string(),
  Message: z.string().optional(),
  RequestId: z.string().optional(),
  ResultObject: z.object({ BizCode: z.string() }).optional(),
});

/** Id2MetaVerify (two-element check) of Alibaba Cloud Cloudauth: BizCode 1 match, 2 mismatch, 3 no record. */
const BIZ_CODES: Record<string, AuthorityOutcome> = { '1': 'match', '2': 'mismatch', '3': 'no_record' };

export class AlibabaAuthority implements AuthorityPort {
  constructor(private readonly options: AlibabaOptions) {}

  verifyIdentity(query: AuthorityQuery, signal?: AbortSignal): Promise<AuthorityResult> {
    return withRetries('alibaba', this.options.retry ?? DEFAULT_RETRY, signal, (attemptSignal) => this.call(query, attemptSignal));
  }

  private async call(query: AuthorityQuery, signal: AbortSignal): Promise<AuthorityOutcome> {
    const params: Record<string, string> = {
      Action: 'Id2MetaVerify',
      Version: '2019-03-07',
      Format: 'JSON',
      AccessKeyId: this.options.accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: randomUUID(),
      Timestamp: new Date(this.options.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ParamType: 'normal',
      IdentifyNum: query.idNumber,
      UserName: query.name,
    };
    params.Signature = rpcSignature('POST', params, this.options.accessKeySecret);
    // Parameters in the form body, not the URL: they include the name and the ID number.
    const res = await fetch(this.options.endpoint, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    if (res.status >= 500) throw new AuthorityCallError('source_error', `HTTP ${res.status}`);
    const parsed = responseSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new AuthorityCallError('source_error', 'unexpected response shape');
    const { Code, ResultObject } = parsed.data;
    if (Code.startsWith('Throttling') || res.status === 429) throw new AuthorityCallError('rate_limited', Code);
    if (Code !== '200') {
      if (Code.startsWith('ServiceUnavailable') || Code.startsWith('InternalError')) throw new AuthorityCallError('source_error', Code);
      return 'source_error';
    }
    return BIZ_CODES[ResultObject?.BizCode ?? ''] ?? 'source_error';
  }
}
