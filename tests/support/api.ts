import { request } from 'node:http';
import { type CreatedOrder, type DeliveryPath, type EvidenceKind, type HandoverResult, type Hold, type LivenessChallenge, type LivenessResult, type OrderView } from '@shared';

/** A thin client of the BFF's HTTP API, as the SPA and a storefront would call it. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async json<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, init);
    return { status: res.status, body: (await res.json()) as T };
  }

  post<T>(path: string, body: unknown, token?: string): Promise<{ status: number; body: T }> {
    return this.json<T>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  }

  get<T>(path: string, token?: string): Promise<{ status: number; body: T }> {
    return this.json<T>(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  }

  /** A session naming the agent whose API key this is, for one of its sites (as its server asks for one). */
  async agentSession(apiKey: string, origin: string): Promise<string> {
    const made = await this.post<{ session: string }>('/api/channel/sessions', { origin }, apiKey);
    if (made.status !== 201) throw new Error(`no agent session: ${JSON.stringify(made.body)}`);
    return made.body.session;
  }

  /** Holds the first available number and creates an order on it (through the agent a session names, if given), with consent given. */
  async newOrder(deliveryPath: DeliveryPath = 'courier_verified', consent = true, agentSession?: string): Promise<{ id: string; token: string; msisdn: string }> {
    // Another buyer may take a listed number first: try the next one, as a person would.
    const numbers = await this.get<{ numbers: { msisdn: string }[] }>('/api/numbers?limit=20');
    let hold: { status: number; body: Hold } | undefined;
    let msisdn = '';
    for (const candidate of numbers.body.numbers) {
      msisdn = candidate.msisdn;
      hold = await this.post<Hold>('/api/holds', { msisdn });
      if (hold.status === 201) break;
    }
    if (!hold || hold.status !== 201) throw new Error('no number could be held');
    const created = await this.post<CreatedOrder>('/api/orders', { holdId: hold.body.holdId, holdToken: hold.body.holdToken, deliveryPath, ...(agentSession ? { agentSession } : {}) });
    if (created.status !== 201) throw new Error(`order not created: ${JSON.stringify(created.body)}`);
    const { id } = created.body.order;
    const token = created.body.orderToken;
    if (consent) await this.post(`/api/orders/${id}/consent`, { identity: true, biometric: true, policyVersion: '2026-11' }, token);
    return { id, token, msisdn };
  }

  upload<T>(id: string, token: string | undefined, kind: EvidenceKind | 'selfie', data: Buffer, options: { field?: string; filename?: string; type?: string } = {}) {
    const form = new FormData();
    form.append(options.field ?? 'image', new Blob([new Uint8Array(data)], { type: options.type ?? 'image/jpeg' }), options.filename ?? `${kind}.jpg`);
    return this.json<T>(`/api/orders/${id}/evidence/${kind}`, {
      method: 'PUT',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: form,
    });
  }

  submit(id: string, token: string) {
    return this.post<OrderView>(`/api/orders/${id}/submit`, { confirmed: true }, token);
  }

  startLiveness(id: string, token: string) {
    return this.json<LivenessChallenge>(`/api/orders/${id}/liveness`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  }

  /** A live check's frames, with the timeline a page sends beside them. */
  sendFrames(id: string, token: string, challengeId: string, { frames, timeline }: { frames: Buffer[]; timeline: unknown }) {
    return this.json<LivenessResult>(`/api/orders/${id}/liveness/${challengeId}/frames`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: framesForm(frames, timeline),
    });
  }

  /**
   * The courier's check at the door: the hand-over code, the card and the recipient photographed, the
   * courier's confirmation (given unless `confirmed: false`) and the device's time.
   */
  handOver(tracking: string, courierToken: string, parts: { code?: string; card?: Buffer; face?: Buffer; confirmed?: boolean }) {
    const form = new FormData();
    if (parts.code !== undefined) form.append('code', parts.code);
    form.append('confirmed', String(parts.confirmed ?? true));
    form.append('deviceTime', new Date().toISOString());
    if (parts.card) form.append('card', new Blob([new Uint8Array(parts.card)], { type: 'image/jpeg' }), 'card.jpg');
    if (parts.face) form.append('face', new Blob([new Uint8Array(parts.face)], { type: 'image/jpeg' }), 'face.jpg');
    return this.json<HandoverResult>(`/api/courier/deliveries/${tracking}/handover`, { method: 'POST', headers: { authorization: `Bearer ${courierToken}` }, body: form });
  }
}

/** A GET with a Host header of the caller's choosing (fetch does not let a page pick its Host). */
export function getWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { ...headers, host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A live check's frames as a page sends them: the files in `frames`, the timeline as JSON in `timeline`. */
export function framesForm(frames: Buffer[], timeline: unknown): FormData {
  const form = new FormData();
  frames.forEach((frame, i) => form.append('frames', new Blob([new Uint8Array(frame)], { type: 'image/jpeg' }), `frame-${i}.jpg`));
  form.append('timeline', JSON.stringify(timeline));
  return form;
}
