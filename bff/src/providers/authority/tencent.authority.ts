import { z } from 'zod';
import type { AuthorityAnswer, AuthorityOutcome, AuthorityPort, AuthorityQuery, AuthorityResult } from './authority.port.js';
import { AuthorityCallError, DEFAULT_RETRY, type RetryPolicy, postJson, withRetries } from './http.js';
import { tc3Authorization } from './signing.js';

export interface TencentOptions {
  secretId: string;
  secretKey: string;
  /** https://faceid.tencentcloudapi.com by default; a local fake in tests. */
  endpoint: string;
  region: string;
  retry?: RetryPolicy;
  now?: () => number;
}

const responseSchema = z.object({
  Response: z.object({
    Result: z.string().optional(),
    Description: z.string().optional(),
    Sim: z.number().optional(),
    Error: z.object({ Code: z.string(), Message: z.string().optional() }).optional(),
    RequestId: z.string().optional(),
  }),
});

/**
 * IdCardVerification (two-element check) of Tencent Cloud FaceID. Result: 0 match, -1 name and
 * number disagree, -2 invalid number, -3 invalid name, -4 service error, -5 no record, -6 service
 * upgrading, -7 daily limit reached.
 */
const RESULTS: Record<string, AuthorityOutcome> = {
  '0': 'match',
  '-1': 'mismatch',
  '-2': 'mismatch',
  '-3': 'mismatch',
  '-4': 'source_error',
  '-5': 'no_record',
  '-6': 'source_error',
  '-7': 'rate_limited',
};

/** Similarity Tencent recommends as the same person for ImageRecognitionV2 (FAR 1/10,000). */
const TENCENT_SIM_THRESHOLD = 70;

/**
 * ImageRecognitionV2 (three-element check: a photo against the portrait on record). Result is
 * "Success" with Sim, or a FailedOperation code; the comparison failing still means the name and
 * number were found.
 */
function imageRecognitionAnswer(result: string, sim: number | undefined): AuthorityAnswer {
  const similarity = sim ?? 0;
  if (result === 'Success') return { outcome: 'match', portrait: { similarity, match: similarity >= TENCENT_SIM_THRESHOLD } };
  if (result.includes('CompareLowSimilarity')) return { outcome: 'match', portrait: { similarity, match: false } };
  if (result.includes('IdNameMisMatch') || result.includes('IdFormatError') || result.includes('IdNameFormatError')) return { outcome: 'mismatch' };
  if (result.includes('IdNoExistSystem')) return { outcome: 'no_record' };
  if (result.includes('IdPhotoNoExist')) return { outcome: 'no_photo' };
  return { outcome: 'source_error' };
}

export class TencentAuthority implements AuthorityPort {
  constructor(private readonly options: TencentOptions) {}

  verifyIdentity(query: AuthorityQuery, signal?: AbortSignal): Promise<AuthorityResult> {
    return withRetries('tencent', this.options.retry ?? DEFAULT_RETRY, signal, (attemptSignal) => this.call(query, attemptSignal));
  }

  private async call(query: AuthorityQuery, signal: AbortSignal): Promise<AuthorityAnswer> {
    const url = new URL(this.options.endpoint);
    const action = query.photo ? 'ImageRecognitionV2' : 'IdCardVerification';
    const payload = JSON.stringify({ IdCard: query.idNumber, Name: query.name, ...(query.photo ? { ImageBase64: query.photo.toString('base64') } : {}) });
    const timestamp = Math.floor((this.options.now?.() ?? Date.now()) / 1000);
    const body = await postJson(url.href, {
      signal,
      body: payload,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-tc-action': action,
        'x-tc-version': '2018-03-01',
        'x-tc-region': this.options.region,
        'x-tc-timestamp': String(timestamp),
        authorization: tc3Authorization({ ...this.options, service: 'faceid', host: url.host, timestamp, payload }),
      },
    });
    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) throw new AuthorityCallError('source_error', 'unexpected response shape');
    const { Result, Sim, Error: error, RequestId } = parsed.data.Response;
    const transaction = RequestId ? { transactionId: RequestId } : {};
    if (error) {
      // Throttling is worth a later try; credentials, parameters and billing are not going to change.
      if (error.Code.startsWith('RequestLimitExceeded')) throw new AuthorityCallError('rate_limited', error.Code);
      if (error.Code.startsWith('InternalError') || error.Code.startsWith('FailedOperation')) throw new AuthorityCallError('source_error', error.Code);
      return { outcome: 'source_error' };
    }
    if (query.photo) return { ...imageRecognitionAnswer(Result ?? '', Sim), ...transaction };
    return { outcome: RESULTS[Result ?? ''] ?? 'source_error', ...transaction };
  }
}
