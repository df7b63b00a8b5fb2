import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksCase } from '../support/env.js';
import { type ErrorBody, type OrderView, type ReviewCase, type ReviewDecisionResult, type ReviewQueueItem, orderViewSchema } from '@shared';
import { createAuthority } from '../../bff/src/providers/authority/index.js';
import type { AuthorityPort } from '../../bff/src/providers/authority/authority.port.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { row } from '../support/db.js';
import { facePhoto } from '../support/fixtures.js';
import { type FacePoses, POSES, passLiveCheck } from '../support/liveFrames.js';
import { type StaffClient, staffMember } from '../support/staff.js';
import { type TestServer, startTestServer, waitForState } from '../support/testServer.js';

/** The national ID service, out of order until told otherwise (a vendor outage, then its return). */
let serviceDown = true;
const realService = createAuthority({ adapter: 'mock', timeoutMs: 5000, portrait: false });
const outage: AuthorityPort = {
  verifyIdentity: async (query, signal) => (serviceDown ? { outcome: 'source_error', source: 'mock' } : realService.verifyIdentity(query, signal)),
};

let t: TestServer;
let reviewerA: StaffClient;
let reviewerB: StaffClient;
let auditor: StaffClient;

beforeAll(async () => {
  // A wide margin: a face a little unlike the portrait goes to a person rather than being refused.
  t = await startTestServer({ FACE_REVIEW_MARGIN: '0.6', REVIEW_DEADLINE_HOURS: '48', REVIEW_RECHECK_MINUTES: '10' }, { authority: outage });
  reviewerA = (await staffMember(t.server, t, ['reviewer'], 'zhou.review')).client;
  reviewerB = (await staffMember(t.server, t, ['reviewer'], 'wu.review')).client;
  auditor = (await staffMember(t.server, t, ['auditor'], 'zheng.audit')).client;
});

afterAll(async () => {
  await t.stop();
});

const code = (body: unknown): string | undefined => (body as Partial<ErrorBody>).error?.code;
let seeds = 0;

/** An order bought with a sandbox identity's card, the live check by `live`, submitted and decided. */
async function decidedOrder(card: MockCard, live: FacePoses): Promise<{ id: string; token: string; msisdn: string; view: OrderView }> {
  const order = await t.api.newOrder();
  for (const kind of ['portrait', 'emblem', 'handheld'] as const) expect((await t.api.upload(order.id, order.token, kind, card.images[kind])).status).toBe(200);
  expect(['passed', 'review']).toContain((await passLiveCheck(t.api, order, live)).outcome);
  expect((await t.api.submit(order.id, order.token)).status).toBe(202);
  await t.server.orders.settled(order.id);
  return { ...order, view: orderViewSchema.parse((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body) };
}

const sandboxCard = async (who: number, face: string, cardFace?: string): Promise<MockCard> => {
  const identity = SANDBOX_IDENTITIES[who];
  return generateMockCard({ face: await facePhoto(face), name: identity?.name, idNumber: identity?.idNumber, seed: `review-${(seeds += 1)}`, ...(cardFace ? { cardFace: await facePhoto(cardFace) } : {}) });
};
const numberState = async (msisdn: string) => (await row<{ status: string }>(t.server.db, sql`SELECT status FROM numbers WHERE msisdn = ${msisdn}`))?.status;
const queue = async () => (await reviewerA.call<{ reviews: ReviewQueueItem[] }>('GET', '/api/console/reviews')).body.reviews;
const decide = (client: StaffClient, id: string, body: unknown) => client.call<ReviewDecisionResult>('POST', `/api/console/reviews/${id}/decision`, body);

describe('the review workbench', () => {
  it('shows a reviewer the whole case, and a second reviewer must confirm an approval over a doubt about the face', async () => {
    // The card's portrait is one person; the hand-held photo shows another (within the wide margin).
    const card = await sandboxCard(0, 'photos/obama.jpg', POSES.sheldon.neutral);
    serviceDown = false;
    const order = await decidedOrder(card, POSES.sheldon);
    expect(order.view.state).toBe('review');
    expect(order.view.decision?.reasons).toContain('face_borderline');

    const item = (await queue()).find((q) => q.orderId === order.id);
    expect(item).toMatchObject({ reasons: ['face_borderline'], awaitingRecheck: false, proposal: null });
    expect((item?.deadline ?? 0) - (item?.since ?? 0)).toBe(48 * 3_600_000);

    const opened = await reviewerA.call<ReviewCase>('GET', `/api/console/reviews/${order.id}`);
    expect(opened.body).toMatchObject({ state: 'review', needsTwoReviewers: true });
    expect([...opened.body.evidence].sort()).toEqual(['emblem', 'handheld', 'live', 'portrait']);
    expect(opened.body.identity.portrait.name).toBe(SANDBOX_IDENTITIES[0]?.name);
    // Nothing was read in doubt here: there is no reading to correct.
    expect(code((await reviewerA.call('POST', `/api/console/reviews/${order.id}/correction`, { field: 'name', value: '张伟' })).body)).toBe('reading_not_doubted');
    const face = opened.body.checks.find((c) => c.check === 'face');
    expect(face).toMatchObject({ outcome: 'review', reasons: ['face_borderline'] });
    expect(face?.score).toEqual(expect.any(Number));
    for (const kind of [...opened.body.evidence].sort()) {
      const photo = await fetch(`${t.server.url}/api/console/reviews/${order.id}/evidence/${kind}`, { headers: { cookie: reviewerA.cookie } });
      expect(photo.status).toBe(200);
      expect(photo.headers.get('cache-control')).toBe('no-store');
      expect(Buffer.from(await photo.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }

    // The first approval waits; the same reviewer cannot be the second.
    const first = await decide(reviewerA, order.id, { outcome: 'approve', reason: 'same_person_on_inspection' });
    expect(first.body).toEqual({ status: 'second_review_needed', state: 'review' });
    const again = await decide(reviewerA, order.id, { outcome: 'approve', reason: 'same_person_on_inspection' });
    expect([again.status, code(again.body)]).toEqual([409, 'second_reviewer_required']);
    expect((await queue()).find((q) => q.orderId === order.id)?.proposal).toMatchObject({ staff: 'zhou.review', outcome: 'approve' });

    const second = await decide(reviewerB, order.id, { outcome: 'approve', reason: 'same_person_on_inspection', note: 'compared ear shape and hairline' });
    expect(second.body).toEqual({ status: 'decided', state: 'approved' });
    // The buyer's status page moves on: approved, then shipped.
    const shipped = await waitForState(t.api, order, 'shipped');
    expect(shipped.decision).toMatchObject({ outcome: 'approved', reasons: [] });
    const transitions = await t.server.db.transitionsOf(order.id);
    expect(transitions.find((x) => x.to_state === 'approved')?.actor).toBe('staff:zhou.review+wu.review');
    expect((await queue()).some((q) => q.orderId === order.id)).toBe(false);
  });

  checksCase('rejects with a reason from the list (text when it is "other"), and the number goes back', async () => {
    const card = await sandboxCard(1, 'photos/obama.jpg', POSES.sheldon.neutral);
    const order = await decidedOrder(card, POSES.sheldon);
    expect(order.view.state).toBe('review');
    expect((await decide(reviewerA, order.id, { outcome: 'reject', reason: 'other' })).status).toBe(400);
    expect((await decide(reviewerA, order.id, { outcome: 'reject', reason: 'same_person_on_inspection' })).status).toBe(400);
    expect(await numberState(order.msisdn)).toBe('held');
    expect((await decide(reviewerA, order.id, { outcome: 'reject', reason: 'different_person' })).body).toEqual({ status: 'decided', state: 'rejected' });
    expect(await numberState(order.msisdn)).toBe('available');
    const view = (await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body;
    expect(view.decision).toMatchObject({ outcome: 'rejected', reasons: ['face_borderline'] });
    expect(code((await decide(reviewerB, order.id, { outcome: 'approve', reason: 'same_person_on_inspection' })).body)).toBe('order_closed');
  });

});

describe('the access audit', () => {
  it('records every opening of a case and of a photo, and shows an edited entry as a break in the chain', async () => {
    const { body } = await auditor.call<{ entries: { seq: number; staff: string; action: string; subject: string; reason: string }[]; chain: { ok: boolean; entries: number; brokenAt?: number } }>('GET', '/api/console/audit');
    expect(body.chain.ok).toBe(true);
    expect(body.chain.entries).toBe(5);
    expect(body.entries.map((e) => `${e.staff} ${e.action} ${e.reason}`).reverse()).toEqual([
      'zhou.review case.open review', ...['emblem', 'handheld', 'live', 'portrait'].map((kind) => `zhou.review evidence.view review: ${kind}`),
    ]);
    // Only auditors read it.
    expect(code((await reviewerA.call('GET', '/api/console/audit')).body)).toBe('forbidden');

    await t.server.db.db.updateTable('access_audit').set({ staff: 'someone.else' }).where('seq', '=', 3).execute();
    const broken = await auditor.call<{ chain: { ok: boolean; brokenAt?: number } }>('GET', '/api/console/audit');
    expect(broken.body.chain).toEqual({ ok: false, entries: 2, brokenAt: 3 });
    await t.server.db.db.updateTable('access_audit').set({ staff: 'zhou.review' }).where('seq', '=', 3).execute();
    await t.server.db.db.deleteFrom('access_audit').where('seq', '=', 2).execute();
    expect((await auditor.call<{ chain: { ok: boolean; brokenAt?: number } }>('GET', '/api/console/audit')).body.chain).toEqual({ ok: false, entries: 1, brokenAt: 3 });
  });
});

describe('orders nobody can decide yet', () => {
  it('are checked again when only the ID service was out, before a person looks; what nobody decides in time is closed', async () => {
    serviceDown = true;
    const held = await decidedOrder(await sandboxCard(2, POSES.sheldon.neutral), POSES.sheldon);
    // Another one needs a person anyway: the hand-held photo shows another card.
    const card = await sandboxCard(3, POSES.sheldon.neutral);
    const another = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), seed: 'review-another-card' });
    const forgotten = await decidedOrder({ ...card, images: { ...card.images, handheld: another.images.handheld } }, POSES.sheldon);
    expect(held.view.decision).toMatchObject({ outcome: 'review', reasons: ['authority_unavailable'] });
    expect(forgotten.view.decision?.reasons).toEqual(expect.arrayContaining(['handheld_card_not_found', 'authority_unavailable']));
    const waiting = await queue();
    expect(waiting.find((q) => q.orderId === held.id)?.awaitingRecheck).toBe(true);
    expect(waiting.find((q) => q.orderId === forgotten.id)?.awaitingRecheck).toBe(false);

    // Still out ten minutes on: checked again, and back to review.
    t.advance(10 * 60_000);
    expect(await t.server.reviews.sweep()).toEqual({ expired: 0, rechecked: 1 });
    expect((await t.server.db.getOrder(held.id))?.state).toBe('review');
    // Not again before another ten minutes.
    expect(await t.server.reviews.sweep()).toEqual({ expired: 0, rechecked: 0 });

    // The service is back: the next check decides, and no person was needed.
    serviceDown = false;
    t.advance(10 * 60_000);
    expect(await t.server.reviews.sweep()).toEqual({ expired: 0, rechecked: 1 });
    const approved = await waitForState(t.api, held, 'shipped');
    expect(approved.decision?.outcome).toBe('approved');
    expect((await t.server.db.transitionsOf(held.id)).filter((x) => x.from_state === 'review' && x.to_state === 'verifying')).toHaveLength(2);

    // The other waits for a person who never comes: past 48 hours it is closed, its number free again.
    t.advance(48 * 3_600_000);
    expect(await t.server.reviews.sweep()).toEqual({ expired: 1, rechecked: 0 });
    const closed = (await t.api.get<OrderView>(`/api/orders/${forgotten.id}`, forgotten.token)).body;
    expect(closed).toMatchObject({ state: 'rejected', decision: { outcome: 'rejected', reasons: ['review_expired'] } });
    expect(await numberState(forgotten.msisdn)).toBe('available');
  });
});

describe('a reading the reader doubted', () => {
  it('cannot be approved while the national record refuses it; corrected as the card shows, it is checked again and can be', async () => {
    serviceDown = false;
    // The clock has moved on by days in the tests before: a reviewer signed in now.
    const reviewer = (await staffMember(t.server, t, ['reviewer'], 'qian.review')).client;
    // 赟 is not in the recogniser's dictionary: the name is read without it or with a look-alike in
    // doubt (上官, 上官贺), which the record does not know.
    const who = SANDBOX_IDENTITIES.find((s) => s.name === '上官赟');
    const card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'review-doubted-name' });
    const order = await decidedOrder(card, POSES.penny);
    expect(order.view.state).toBe('review');
    const opened = (await reviewer.call<ReviewCase>('GET', `/api/console/reviews/${order.id}`)).body;
    expect(opened.identity.portrait.name?.startsWith('上官')).toBe(true);
    expect(opened.identity.portrait.name).not.toBe('上官赟');
    expect(opened.reasons).toEqual(['card_name_doubtful', 'authority_mismatch']);

    // Nobody approves a name and number the record has not confirmed.
    const approve = { outcome: 'approve', reason: 'card_genuine_on_inspection' };
    expect(code((await decide(reviewer, order.id, approve)).body)).toBe('authority_not_confirmed');
    // What is typed in is printed text, and only the three free-text fields.
    expect((await reviewer.call('POST', `/api/console/reviews/${order.id}/correction`, { field: 'name', value: '上官\u0000赟' })).status).toBe(400);
    expect((await reviewer.call('POST', `/api/console/reviews/${order.id}/correction`, { field: 'idNumber', value: '1' })).status).toBe(400);

    const corrected = await reviewer.call<ReviewCase>('POST', `/api/console/reviews/${order.id}/correction`, { field: 'name', value: '上官赟' });
    expect(corrected.status).toBe(200);
    // Checked again, the record included: it now agrees; the doubt stays for the person to close.
    expect(corrected.body).toMatchObject({ state: 'review', reasons: ['card_name_doubtful'] });
    expect(corrected.body.identity.portrait.name).toBe('上官赟');
    expect(corrected.body.checks.find((c) => c.check === 'authority')).toMatchObject({ outcome: 'pass' });
    const step = corrected.body.transitions.find((x) => x.from === 'review' && x.to === 'verifying');
    expect(step).toMatchObject({ actor: 'staff:qian.review', reason: 'review: the name corrected as printed on the card' });

    expect((await decide(reviewer, order.id, approve)).body).toEqual({ status: 'decided', state: 'approved' });
    expect(code((await reviewer.call('POST', `/api/console/reviews/${order.id}/correction`, { field: 'name', value: '上官' })).body)).toBe('order_closed');
    // The corrected name is what the order holds (sealed), never the value in the history.
    expect(JSON.stringify(await t.server.db.transitionsOf(order.id))).not.toContain('上官赟');
  });
});
