import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimedHandoff, CreatedHandoff, ErrorBody, Handoff, HandoffProgress, OrderView } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { facePhoto } from '../support/fixtures.js';
import { type TestServer, startTestServer } from '../support/testServer.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  await t.stop();
});

type Order = { id: string; token: string };
const code = (body: unknown): string | undefined => (body as Partial<ErrorBody>).error?.code;
const make = (order: Order) => t.api.post<CreatedHandoff>(`/api/orders/${order.id}/handoffs`, {}, order.token);
const progress = (order: Order, id: string, token = order.token) => t.api.get<HandoffProgress>(`/api/orders/${order.id}/handoffs/${id}`, token);
const claim = (given: string) => t.api.post<ClaimedHandoff>('/api/handoffs/claim', { code: given });
const cancel = (order: Order, id: string) => t.api.json<Handoff>(`/api/orders/${order.id}/handoffs/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${order.token}` } });
const finish = (order: Order, id: string, token: string) => t.api.post<Handoff>(`/api/orders/${order.id}/handoffs/${id}/finish`, {}, token);

describe('continuing an order on a phone', () => {
  it('gives the phone a token of its own for the photos and the live check, which the computer follows and which ends when the phone is done', async () => {
    const order = await t.api.newOrder();
    const made = await make(order);
    expect(made.status).toBe(201);
    // The link carries the code in its fragment only: no order id, no token, nothing a server or a log sees.
    expect(made.body.link).toBe(`${t.server.publicUrl}/h#${made.body.code}`);
    expect(made.body.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/u);
    expect(made.body.link).not.toContain(order.id);
    expect(made.body.link).not.toContain(order.token);
    expect((await progress(order, made.body.handoff.id)).body.handoff.state).toBe('waiting');

    // Typed by hand: lower case, a dash, O for zero are all read back.
    const typed = `${made.body.code.slice(0, 5)}-${made.body.code.slice(5)}`.toLowerCase().replace(/0/gu, 'o');
    const claimed = await claim(typed);
    expect(claimed.status).toBe(200);
    const phone = { id: claimed.body.orderId, token: claimed.body.deviceToken };
    expect(phone.id).toBe(order.id);
    expect(phone.token).not.toBe(order.token);
    expect(claimed.body.order.consentGiven).toBe(true);
    // Once only.
    const again = await claim(made.body.code);
    expect([again.status, code(again.body)]).toEqual([409, 'handoff_used']);

    // The phone takes a photo; the computer sees it arrive.
    const who = SANDBOX_IDENTITIES[0];
    const card = await generateMockCard({ face: await facePhoto('photos/obama.jpg'), name: who?.name, idNumber: who?.idNumber, seed: 'handoff' });
    expect((await t.api.upload(phone.id, phone.token, 'portrait', card.images.portrait)).status).toBe(200);
    const followed = await progress(order, made.body.handoff.id);
    expect([followed.body.handoff.state, followed.body.order.evidence.portrait]).toEqual(['claimed', true]);
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, phone.token)).status).toBe(200);
    expect((await t.api.startLiveness(phone.id, phone.token)).status).toBe(201);

    // What the phone's token does not open: consent, submission, the buyer's number, the hand-off itself, another hand-off.
    const refused = [
      await t.api.post(`/api/orders/${order.id}/consent`, { identity: true, biometric: true, policyVersion: '2026-11' }, phone.token),
      await t.api.submit(order.id, phone.token),
      await t.api.post(`/api/orders/${order.id}/contact`, { mobile: '13812345678' }, phone.token),
      await progress(order, made.body.handoff.id, phone.token),
      await make(phone),
    ];
    expect(refused.map((r) => [r.status, code(r.body)])).toEqual(refused.map(() => [404, 'not_found']));

    // The phone is done: the computer sees it, and the phone's token opens nothing from then on.
    expect((await finish(order, made.body.handoff.id, phone.token)).body.state).toBe('finished');
    expect((await progress(order, made.body.handoff.id)).body.handoff.state).toBe('finished');
    expect((await t.api.get(`/api/orders/${order.id}`, phone.token)).status).toBe(404);
    expect((await t.api.upload(phone.id, phone.token, 'emblem', card.images.emblem)).status).toBe(404);
    // The order's own token goes on as before.
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.evidence.portrait).toBe(true);
  });

  it('says so of a code that ran out, was cancelled or never existed, and ends a phone\'s token when the computer cancels', async () => {
    const order = await t.api.newOrder();
    const first = await make(order);
    t.advance(11 * 60_000);
    expect((await progress(order, first.body.handoff.id)).body.handoff.state).toBe('expired');
    const late = await claim(first.body.code);
    expect([late.status, code(late.body)]).toEqual([410, 'handoff_expired']);

    // A new code cancels the one before it: one phone at a time.
    const second = await make(order);
    const third = await make(order);
    const replaced = await claim(second.body.code);
    expect([replaced.status, code(replaced.body)]).toEqual([410, 'handoff_cancelled']);

    const claimed = await claim(third.body.code);
    expect(claimed.status).toBe(200);
    expect((await t.api.get(`/api/orders/${order.id}`, claimed.body.deviceToken)).status).toBe(200);
    expect((await cancel(order, third.body.handoff.id)).body.state).toBe('cancelled');
    expect((await t.api.get(`/api/orders/${order.id}`, claimed.body.deviceToken)).status).toBe(404);
    expect((await finish(order, third.body.handoff.id, claimed.body.deviceToken)).status).toBe(404);

    // A phone's token runs out half an hour after the code was taken.
    const fourth = await make(order);
    const taken = await claim(fourth.body.code);
    t.advance(31 * 60_000);
    expect((await t.api.get(`/api/orders/${order.id}`, taken.body.deviceToken)).status).toBe(404);
    expect((await progress(order, fourth.body.handoff.id)).body.handoff.state).toBe('expired');

    // The computer that saw every step done ends it as finished; a stranger cannot.
    const fifth = await make(order);
    const phone = await claim(fifth.body.code);
    const stranger = await t.api.newOrder();
    expect((await finish(order, fifth.body.handoff.id, stranger.token)).status).toBe(404);
    expect((await finish(order, fifth.body.handoff.id, order.token)).body.state).toBe('finished');
    expect((await t.api.get(`/api/orders/${order.id}`, phone.body.deviceToken)).status).toBe(404);

    const unknown = await claim('ZZZZZ-ZZZZZ');
    expect([unknown.status, code(unknown.body)]).toEqual([404, 'not_found']);
    const malformed = await claim('not a code!');
    expect([malformed.status, code(malformed.body)]).toEqual([400, 'validation_failed']);
  });

  it('is made only for the order\'s own token, after consent, while the order is a draft', async () => {
    const order = await t.api.newOrder('courier_verified', false);
    const early = await make(order);
    expect([early.status, code(early.body)]).toEqual([409, 'consent_required']);
    const other = await t.api.newOrder();
    const made = await make(other);
    expect((await progress({ id: other.id, token: order.token }, made.body.handoff.id)).status).toBe(404);
    expect((await t.api.post(`/api/orders/${other.id}/handoffs`, {}, order.token)).status).toBe(404);
  });
});
