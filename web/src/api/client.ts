import {
  type FiledReport,
  type OpenedInMyName,
  type RegisteredNumber,
  type ReportStatus,
  type ContactView,
  type ClaimedHandoff,
  type CreatedHandoff,
  type Handoff,
  type HandoffProgress,
  type SandboxSms,
  type MarkVerification,
  type PublicAgent,
  type ActivationCardResult,
  type ActivationResult,
  type ActivationSession,
  type CourierDelivery,
  type CourierProfile,
  type HandoverResult,
  type LivenessVerdictView,
  type RefuseRequest,
  type StartActivationRequest,
  type Environment,
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
  type LivenessTimeline,
  type NumberSession,
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

export async function errorFrom(res: Response): Promise<ApiError> {
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

const DEVICE_KEY = 'sim-device-id';

/**
 * A random id this browser keeps: applications per device a day are limited by it. It names the
 * device to this service only, and says nothing about the buyer.
 */
function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID().replaceAll('-', '');
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

/** A live check's frames, in the order they were taken, and their timeline. */
function framesForm({ frames, timeline }: { frames: Blob[]; timeline: LivenessTimeline }): FormData {
  const form = new FormData();
  frames.forEach((frame, i) => form.append('frames', frame, `frame-${i}.jpg`));
  form.append('timeline', JSON.stringify(timeline));
  return form;
}

export const api = {
  numbers: (prefix?: string) => call<AvailableNumbers>(`/api/numbers?limit=12${prefix ? `&prefix=${prefix}` : ''}`),
  hold: (msisdn: string) => call<Hold>('/api/holds', { method: 'POST', body: JSON.stringify({ msisdn }) }),
  createOrder: (hold: Hold, deliveryPath: DeliveryPath, agentSession?: string) =>
    call<CreatedOrder>('/api/orders', { method: 'POST', body: JSON.stringify({ holdId: hold.holdId, holdToken: hold.holdToken, deliveryPath, ...(agentSession ? { agentSession } : {}) }) }),
  order: (id: string, token: string) => call<OrderView>(`/api/orders/${id}`, { token }),
  consent: (id: string, token: string, body: ConsentRequest) =>
    call<OrderView>(`/api/orders/${id}/consent`, { method: 'POST', body: JSON.stringify(body), token }),
  startLiveness: (id: string, token: string) => call<LivenessChallenge>(`/api/orders/${id}/liveness`, { method: 'POST', token }),
  sendFrames: (id: string, token: string, challengeId: string, recording: { frames: Blob[]; timeline: LivenessTimeline }) =>
    call<LivenessResult>(`/api/orders/${id}/liveness/${challengeId}/frames`, { method: 'POST', body: framesForm(recording), token }),
  submit: (id: string, token: string) =>
    call<OrderView>(`/api/orders/${id}/submit`, { method: 'POST', body: JSON.stringify({ confirmed: true }), token, headers: { 'x-device-id': deviceId() } }),
  /** The buyer withdraws consent before submitting: the order closes and everything it holds is deleted. */
  withdraw: (id: string, token: string) => call<OrderView>(`/api/orders/${id}/withdrawal`, { method: 'POST', token }),
  environment: () => call<Environment>('/api/environment'),
  /** A mobile number for notices: a code is sent to it, then confirmed. */
  leaveContact: (id: string, token: string, mobile: string) => call<ContactView>(`/api/orders/${id}/contact`, { method: 'POST', token, body: JSON.stringify({ mobile }) }),
  confirmContact: (id: string, token: string, code: string) => call<ContactView>(`/api/orders/${id}/contact/confirm`, { method: 'POST', token, body: JSON.stringify({ code }) }),
  sandboxSms: () => call<{ messages: SandboxSms[] }>('/api/sandbox/sms'),
  /** Re-registration: a code to the number, the session it opens, and the identity check's order. */
  reregisterCode: (msisdn: string) => call<{ number: string; codeExpiresAt: string }>('/api/reregister/code', { method: 'POST', body: JSON.stringify({ msisdn }) }),
  reregisterConfirm: (msisdn: string, code: string) =>
    call<{ sessionToken: string; session: NumberSession }>('/api/reregister/confirm', { method: 'POST', body: JSON.stringify({ msisdn, code }) }),
  reregisterSession: (token: string) => call<NumberSession>('/api/reregister/session', { token }),
  reregisterStart: (token: string) => call<CreatedOrder>('/api/reregister/orders', { method: 'POST', token }),
  /** Reports: a shop or a fraud number (a form, with screenshots), the identity check for "opened in my name", following one. */
  report: (form: FormData) => call<FiledReport>('/api/reports', { method: 'POST', body: form }),
  reportCheck: () => call<CreatedOrder>('/api/reports/identity-checks', { method: 'POST' }),
  reportNumbers: (id: string, token: string) => call<{ numbers: RegisteredNumber[] }>(`/api/reports/identity-checks/${id}/numbers`, { token }),
  reportOpened: (id: string, token: string, body: OpenedInMyName) =>
    call<FiledReport>(`/api/reports/identity-checks/${id}/report`, { method: 'POST', body: JSON.stringify(body), token }),
  reportStatus: (reference: string) => call<ReportStatus>('/api/reports/status', { method: 'POST', body: JSON.stringify({ reference }) }),
  /** Going on with the order on a phone: made, followed and cancelled here; claimed and finished on the phone. */
  createHandoff: (id: string, token: string) => call<CreatedHandoff>(`/api/orders/${id}/handoffs`, { method: 'POST', token }),
  handoff: (id: string, token: string, handoffId: string) => call<HandoffProgress>(`/api/orders/${id}/handoffs/${handoffId}`, { token }),
  cancelHandoff: (id: string, token: string, handoffId: string) => call<Handoff>(`/api/orders/${id}/handoffs/${handoffId}`, { method: 'DELETE', token }),
  claimHandoff: (code: string) => call<ClaimedHandoff>('/api/handoffs/claim', { method: 'POST', body: JSON.stringify({ code }) }),
  finishHandoff: (id: string, token: string, handoffId: string) => call<Handoff>(`/api/orders/${id}/handoffs/${handoffId}/finish`, { method: 'POST', token }),

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

  // The courier at the door.
  courierMe: (token: string) => call<CourierProfile>('/api/courier/me', { token }),
  delivery: (token: string, tracking: string) => call<CourierDelivery>(`/api/courier/deliveries/${encodeURIComponent(tracking)}`, { token }),
  /** The check at the door: the code, the card and the recipient's face, the courier's confirmation and the device's time. */
  handOver(token: string, tracking: string, parts: { code: string; card: Blob; face: Blob; confirmed: boolean }): Promise<HandoverResult> {
    const form = new FormData();
    form.append('code', parts.code);
    form.append('confirmed', String(parts.confirmed));
    form.append('deviceTime', new Date().toISOString());
    form.append('card', parts.card, 'card.jpg');
    form.append('face', parts.face, 'face.jpg');
    return call<HandoverResult>(`/api/courier/deliveries/${encodeURIComponent(tracking)}/handover`, { method: 'POST', body: form, token });
  },
  /** A refusal at the door: with the recipient's hand-over code, or a supervisor's access code. */
  refuse: (token: string, tracking: string, request: RefuseRequest) =>
    call<HandoverResult>(`/api/courier/deliveries/${encodeURIComponent(tracking)}/refusal`, { method: 'POST', body: JSON.stringify(request), token }),

  // Activating an unactivated card: with the code in the pack, or as the buyer of the order (its token).
  startActivation: (request: StartActivationRequest, orderToken?: string) =>
    call<ActivationSession>('/api/activations', { method: 'POST', body: JSON.stringify(request), ...(orderToken ? { token: orderToken } : {}) }),
  activationCard(s: ActivationSession, image: Blob): Promise<ActivationCardResult> {
    const form = new FormData();
    form.append('image', image, 'card.jpg');
    return call<ActivationCardResult>(`/api/activations/${s.activationId}/card`, { method: 'PUT', body: form, token: s.activationToken });
  },
  activationLiveness: (s: ActivationSession) => call<LivenessChallenge>(`/api/activations/${s.activationId}/liveness`, { method: 'POST', token: s.activationToken }),
  activationFrames: (s: ActivationSession, challengeId: string, recording: { frames: Blob[]; timeline: LivenessTimeline }) =>
    call<LivenessVerdictView>(`/api/activations/${s.activationId}/liveness/${challengeId}/frames`, { method: 'POST', body: framesForm(recording), token: s.activationToken }),
  completeActivation: (s: ActivationSession) => call<ActivationResult>(`/api/activations/${s.activationId}/complete`, { method: 'POST', token: s.activationToken }),
  activationStatus: (s: ActivationSession) => call<ActivationResult>(`/api/activations/${s.activationId}`, { token: s.activationToken }),

  // Authorised agents: the public list, a mark's check, and the operator's registry.
  agents: () => call<{ agents: PublicAgent[] }>('/api/agents'),
  embedding: (agentNumber: string) =>
    call<{ agentNumber: string; name: string; origins: string[]; authorised: boolean }>(`/api/agents/${encodeURIComponent(agentNumber)}/embedding`),
  verifyMark: (payload: string) => call<MarkVerification>('/api/agents/verify', { method: 'POST', body: JSON.stringify({ payload }) }),
};
