import { expect } from 'vitest';
import type { ActivationCardResult, ActivationResult, ActivationSession, LivenessChallenge, LivenessVerdictView } from '@shared';
import { type ApiClient, framesForm } from './api.js';
import { type FacePoses, performFrames } from './liveFrames.js';
import type { ShippedOrder } from './testServer.js';

/** Path B as the buyer's phone calls it (on the client `client` gives when called): an attempt, the card photographed, the live check, the decision. */
export function activationCalls(client: () => ApiClient) {
  const api = {
    post: <T>(...args: Parameters<ApiClient['post']>) => client().post<T>(...args),
    json: <T>(...args: Parameters<ApiClient['json']>) => client().json<T>(...args),
  };
  /** Starts an attempt with the code printed in the pack (the sandbox shows it on the order). */
  const start = (iccid: string, order: ShippedOrder, msisdn = order.msisdn) =>
    api.post<ActivationSession>('/api/activations', { iccid, msisdn, packCode: order.view.delivery?.sandboxPackCode });
  const uploadCard = (s: ActivationSession, image: Buffer) => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), 'card.jpg');
    return api.json<ActivationCardResult>(`/api/activations/${s.activationId}/card`, { method: 'PUT', headers: { authorization: `Bearer ${s.activationToken}` }, body: form });
  };
  async function liveCheck(s: ActivationSession, poses: FacePoses): Promise<LivenessVerdictView> {
    const challenge = await api.json<LivenessChallenge>(`/api/activations/${s.activationId}/liveness`, { method: 'POST', headers: { authorization: `Bearer ${s.activationToken}` } });
    expect(challenge.status).toBe(201);
    const { frames, timeline } = await performFrames(poses, challenge.body);
    const form = framesForm(frames, timeline);
    const res = await api.json<LivenessVerdictView>(`/api/activations/${s.activationId}/liveness/${challenge.body.challengeId}/frames`, {
      method: 'POST', headers: { authorization: `Bearer ${s.activationToken}` }, body: form,
    });
    expect(res.status).toBe(200);
    return res.body;
  }
  const complete = (s: ActivationSession) => api.post<ActivationResult>(`/api/activations/${s.activationId}/complete`, {}, s.activationToken);

  /** One whole attempt: start, the card photographed, the live check, the decision. */
  async function attempt(order: ShippedOrder, cardPhoto: Buffer, poses: FacePoses): Promise<ActivationResult> {
    const session = await start(order.iccid, order);
    expect(session.status).toBe(201);
    expect((await uploadCard(session.body, cardPhoto)).body.problems).toEqual([]);
    await liveCheck(session.body, poses);
    return (await complete(session.body)).body;
  }

  return { start, uploadCard, liveCheck, complete, attempt };
}
