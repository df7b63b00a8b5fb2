import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuthorityAnswer, AuthorityOutcome, AuthorityPort, AuthorityQuery, AuthorityResult } from './authority.port.js';
import { AuthorityCallError, DEFAULT_RETRY, type RetryPolicy, withRetries } from './http.js';
import { rpcSignature } from './signing.js';

export interface AlibabaOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** https://cloudauth.aliyuncs.com by default; a local fake in tests. */
  endpoint: string;
  /** The scene configured in the Cloudauth console, needed for the three-element check. */
  sceneId?: string;
  retry?: RetryPolicy;
  now?: () => number;
}

const responseSchema = z.object({
  Code: z.string(),
  Message: z.string().optional(),
  RequestId: z.string().optional(),
  ResultObject: z.object({ BizCode: z.string().optional(), SubCode: z.string().optional(), MaterialInfo: z.string().optional() }).optional(),
});

/**
 * ContrastFaceVerify (three-element check: a photo against the portrait on record), SubCode: 200
 * pass, 201 name and number disagree, 202 no record, 203 no portrait on record, 204 faces differ,
 * 205 a spoofing risk in the photo.
 */
function contrastAnswer(subCode: string, materialInfo: string | undefined): AuthorityAnswer {
  let similarity = 0;
  try {
    const info = JSON.parse(materialInfo ?? '{}') as { facialPictureFront?: { verifyScore?: number } };
    similarity = info.facialPictureFront?.verifyScore ?? 0;
  } catch {
    // MaterialInfo is informative only.
  }
  switch (subCode) {
    case '200':
      return { outcome: 'match', portrait: { similarity, match: true } };
    case '204':
    case '205':
      return { outcome: 'match', portrait: { similarity, match: false } };
    case '201':
      return { outcome: 'mismatch' };
    case '202':
      return { outcome: 'no_record' };
    case '203':
      return { outcome: 'no_photo' };
    default:
      return { outcome: 'source_error' };
  }
}

/** Id2MetaVerify (two-element check) of Alibaba Cloud Cloudauth: BizCode 1 match, 2 mismatch, 3 no record. */
const BIZ_CODES: Record<string, AuthorityOutcome> = { '1': 'match', '2': 'mismatch', '3': 'no_record' };

export class AlibabaAuthority implements AuthorityPort {
  constructor(private readonly options: AlibabaOptions) {}

  verifyIdentity(query: AuthorityQuery, signal?: AbortSignal): Promise<AuthorityResult> {
    return withRetries('alibaba', this.options.retry ?? DEFAULT_RETRY, signal, (attemptSignal) => this.call(query, attemptSignal));
  }

  private async call(query: AuthorityQuery, signal: AbortSignal): Promise<AuthorityAnswer> {
    const three = query.photo !== undefined;
    const params: Record<string, string> = {
      Action: three ? 'ContrastFaceVerify' : 'Id2MetaVerify',
      Version: '2019-03-07',
      Format: 'JSON',
      AccessKeyId: this.options.accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: randomUUID(),
      Timestamp: new Date(this.options.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(three
        ? {
          SceneId: this.options.sceneId ?? '',
          OuterOrderNo: randomUUID(),
          ProductCode: 'ID_MIN',
          CertType: 'IDENTITY_CARD',
          CertName: query.name,
          CertNo: query.idNumber,
          FaceContrastPicture: query.photo?.toString('base64') ?? '',
        }
        : { ParamType: 'normal', IdentifyNum: query.idNumber, UserName: query.name }),
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
    const { Code, ResultObject, RequestId } = parsed.data;
    const transaction = RequestId ? { transactionId: RequestId } : {};
    if (Code.startsWith('Throttling') || res.status === 429) throw new AuthorityCallError('rate_limited', Code);
    if (Code !== '200') {
      if (Code.startsWith('ServiceUnavailable') || Code.startsWith('InternalError')) throw new AuthorityCallError('source_error', Code);
      return { outcome: 'source_error' };
    }
    if (three) return { ...contrastAnswer(ResultObject?.SubCode ?? '', ResultObject?.MaterialInfo), ...transaction };
    return { outcome: BIZ_CODES[ResultObject?.BizCode ?? ''] ?? 'source_error', ...transaction };
  }
}
