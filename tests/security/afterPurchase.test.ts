import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActivationSession, type ErrorBody, type HandoverResult, type OrderView, luhnCheckDigit } from '@shared';
import { FulfilmentDb } from '../../bff/src/providers/db/fulfilment.db.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame } from '../support/liveFrames.js';
import { type ShippedOrder, type TestServer, shippedOrder, startTestServer, waitForState } from '../support/testServer.js';

const [COURIER] = SANDBOX_COURIERS;

let t: TestServer;
let card: MockCard;

beforeAll(async () => {
  t = await startTestServer({ PROVISIONING_MOCK_LATENCY_MS: '20', PROVISIONING_MOCK_FAILURE_RATE: '0', LOGISTICS_MOCK_LATENCY_MS: '5', ACTIVATION_ATTEMPTS: '3' });
  const who = SANDBOX_IDENTITIES.find((s) => s.name === '陈静');
  card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: who?.name ?? '', idNumber: who?.idNumber ?? '', seed: 'security-after' });
});

afterAll(async () => {
  await t.stop();
});

const codeOf = (body: unknown): string => (body as ErrorBody).error.code;
const start = (body: Record<string, string | undefined>, token?: string) => t.api.post<ActivationSession>('/api/activations', body, token);
/** A valid ICCID (8986, Luhn) that no card in stock has. */
const strangeIccid = (): string => {
  const body = `898601${String(randomInt(1e13)).padStart(13, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
};

describe('activating a shipped card', () => {
  let order: ShippedOrder;
  beforeAll(async () => {
    order = await shippedOrder(t, card, POSES.penny, 'unactivated');
  });

  it('needs the code in the pack: four starts without it lock nothing', async () => {
    for (let i = 0; i < 4; i += 1) {
      const res = await start({ iccid: order.iccid, msisdn: order.msisdn });
      expect([res.status, codeOf(res.body)]).toEqual([404, 'activation_not_found']);
    }
    const shipment = await new FulfilmentDb(t.server.db).shipmentOf(order.id);
    expect(shipment).toMatchObject({ activation_failures: 0, activation_locked_until: null });
    const real = await start({ iccid: order.iccid, msisdn: order.msisdn, packCode: order.view.delivery?.sandboxPackCode });
    expect(real.status).toBe(201);
    expect(real.body.attemptsLeft).toBe(2);
  });

  it('answers alike whether the card, the number or the code is wrong: it names no pair that exists', async () => {
    const wrongCode = String((Number(order.view.delivery?.sandboxPackCode) + 1) % 1e8).padStart(8, '0');
    const otherNumber = order.msisdn.endsWith('0') ? `${order.msisdn.slice(0, -1)}1` : `${order.msisdn.slice(0, -1)}0`;
    const answers = await Promise.all([
      start({ iccid: strangeIccid(), msisdn: order.msisdn, packCode: wrongCode }),
      start({ iccid: order.iccid, msisdn: otherNumber, packCode: order.view.delivery?.sandboxPackCode }),
      start({ iccid: order.iccid, msisdn: order.msisdn, packCode: wrongCode }),
      start({ iccid: order.iccid, msisdn: order.msisdn }),
      start({ iccid: order.iccid, msisdn: order.msisdn }, 'a-token-of-someone-else-entirely-000000000'),
    ]);
    for (const answer of answers) expect({ status: answer.status, body: answer.body }).toEqual({ status: answers[0]?.status, body: answers[0]?.body });
    expect(answers[0]?.status).toBe(404);
  });

  it('does not count attempts that sent nothing', async () => {
    for (let i = 0; i < 4; i += 1) {
      expect((await start({ iccid: order.iccid, msisdn: order.msisdn, packCode: order.view.delivery?.sandboxPackCode })).body.attemptsLeft).toBe(2);
    }
    expect(await new FulfilmentDb(t.server.db).shipmentOf(order.id)).toMatchObject({ activation_failures: 0, activation_locked_until: null });
  });

  it('lets the buyer\'s own device start with the order\'s token instead of the code', async () => {
    expect((await start({ iccid: order.iccid, msisdn: order.msisdn }, order.token)).status).toBe(201);
  });
});

describe('the hand-over at the door', () => {
  let order: ShippedOrder;
  const tracking = (): string => order.view.delivery?.trackingNumber ?? '';
  const code = (): string => order.view.delivery?.handoverCode ?? '';
  beforeAll(async () => {
    order = await shippedOrder(t, card, POSES.penny, 'courier_verified');
  });

  it('is refused without the recipient\'s face, or without the courier\'s confirmation', async () => {
    const photo = await applyEffects(card.images.portrait, { rotate: -1.5 });
    const noFace = await t.api.handOver(tracking(), COURIER.token, { code: code(), card: photo });
    expect([noFace.status, codeOf(noFace.body)]).toEqual([400, 'upload_missing_file']);
    const unconfirmed = await t.api.handOver(tracking(), COURIER.token, { code: code(), card: photo, face: await cameraFrame(POSES.penny.neutral), confirmed: false });
    expect([unconfirmed.status, codeOf(unconfirmed.body)]).toEqual([400, 'handover_confirmation_required']);
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.state).toBe('shipped');
  });

  it('cannot be refused without the hand-over code or a supervisor', async () => {
    const refuse = (body: Record<string, string>) => t.api.post<HandoverResult>(`/api/courier/deliveries/${tracking()}/refusal`, body, COURIER.token);
    const bare = await refuse({ reason: 'handover_recipient_refused' });
    expect([bare.status, codeOf(bare.body)]).toEqual([400, 'validation_failed']);
    const guessed = await refuse({ reason: 'handover_recipient_refused', code: code() === '000000' ? '000001' : '000000' });
    expect([guessed.status, codeOf(guessed.body)]).toEqual([403, 'handover_code_wrong']);
    const notSupervisor = await refuse({ reason: 'handover_recipient_refused', supervisorCode: COURIER.token });
    expect(notSupervisor.status).toBe(403);
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.state).toBe('shipped');
  });

  it('returns the order when someone else, holding the buyer\'s card and code, is the recipient', async () => {
    const res = await t.api.handOver(tracking(), COURIER.token, { code: code(), card: await applyEffects(card.images.portrait, { rotate: -1.5 }), face: await cameraFrame(POSES.sheldon.neutral) });
    expect(res.body).toEqual({ outcome: 'refused', reasons: ['handover_face_mismatch'] });
    await waitForState(t.api, order, 'returned');
  });

  it('refuses a courier who was disabled', async () => {
    await new FulfilmentDb(t.server.db).disableCouriers([COURIER.id], Date.now());
    expect((await t.api.get('/api/courier/me', COURIER.token)).status).toBe(401);
  });
});
