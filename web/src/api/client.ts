import {
  type AvailableNumbers,
  type ConsentRequest,
  type CreatedOrder,
  type DeliveryPath,
  type ErrorCode,
  type EvidenceKind,
  type EvidenceResult,
  type Hold,
  type LivenessChallenge,
  type LivenessResult,
  type OrderView,
  errorBodySchema,
} from '@shared';

/** An API refusal, with the stable code the UI turns into guidance. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | 'network',
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function errorFrom(res: Response): Promise<ApiError> {
  const parsed = errorBodySchema.safeParse(await res.json().catch(() => undefined));
  return parsed.success
    ? new ApiError(parsed.data.error.code, parsed.data.error.message, res.status)
    : new ApiError('internal', `HTTP ${res.status}`, res.status);
}

async function call<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (rest.body && typeof rest.body === 'string') headers.set('content-type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...rest, headers });
  } catch {
    throw new ApiError('network', 'network unreachable', 0);
  }
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as T;
}

export const api = {
  numbers: (prefix?: string) => call<AvailableNumbers>(`/api/numbers?limit=12${prefix ? `&prefix=${prefix}` : ''}`),
  hold: (msisdn: string) => call<Hold>('/api/holds', { method: 'POST', body: JSON.stringify({ msisdn }) }),
  createOrder: (hold: Hold, deliveryPath: DeliveryPath) =>
    call<CreatedOrder>('/api/orders', { method: 'POST', body: JSON.stringify({ holdId: hold.holdId, holdToken: hold.holdToken, deliveryPath }) }),
  order: (id: string, token: string) => call<OrderView>(`/api/orders/${id}`, { token }),
  consent: (id: string, token: string, body: ConsentRequest) =>
    call<OrderView>(`/api/orders/${id}/consent`, { method: 'POST', body: JSON.stringify(body), token }),
  startLiveness: (id: string, token: string) => call<LivenessChallenge>(`/api/orders/${id}/liveness`, { method: 'POST', token }),
  sendFrames(id: string, token: string, challengeId: string, frames: Blob[]): Promise<LivenessResult> {
    const form = new FormData();
    frames.forEach((frame, i) => form.append('frames', frame, `frame-${i}.jpg`));
    return call<LivenessResult>(`/api/orders/${id}/liveness/${challengeId}/frames`, { method: 'POST', body: form, token });
  },
  submit: (id: string, token: string) => call<OrderView>(`/api/orders/${id}/submit`, { method: 'POST', body: JSON.stringify({ confirmed: true }), token }),

  /**
   * Uploads one photo. XMLHttpRequest, not fetch: only it reports upload progress in every browser
   * (fetch upload streams are Chromium-only and need HTTP/2).
   */
  uploadEvidence(id: string, token: string, kind: EvidenceKind, image: Blob, onProgress: (fraction: number) => void): Promise<EvidenceResult> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', `/api/orders/${id}/evidence/${kind}`);
      xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onerror = () => reject(new ApiError('network', 'network unreachable', 0));
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(xhr.response as EvidenceResult);
          return;
        }
        const parsed = errorBodySchema.safeParse(xhr.response);
        reject(parsed.success ? new ApiError(parsed.data.error.code, parsed.data.error.message, xhr.status) : new ApiError('internal', `HTTP ${xhr.status}`, xhr.status));
      };
      const form = new FormData();
      form.append('image', image, `${kind}.jpg`);
      xhr.send(form);
    });
  },
};
