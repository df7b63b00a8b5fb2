import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, HeldOrder, OrderView, RegistrationRecord } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import type { EvidenceStorage } from '../../bff/src/providers/storage/storage.port.js';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { activationCalls } from '../support/activation.js';
import { row } from '../support/db.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame } from '../support/liveFrames.js';
import { type StaffClient, staffMember } from '../support/staff.js';
import { type ShippedOrder, type TestServer, readyOrder, shippedOrder, startTestServer, waitForState } from '../support/testServer.js';

const DAY = 86_400_000;
const COURIER = SANDBOX_COURIERS[0];
/** The evidence store, failing its deletes after `failAfter` more of them (a process stopped mid-sweep) while set. */
let failAfter: number | undefined;
const stopping = (store: EvidenceStorage): EvidenceStorage => ({
  put: (data) => store.put(data),
  get: (id) => store.get(id),
  list: () => store.list(),
  rewrap: (id, change) => store.rewrap(id, change),
  async delete(id) {
    if (failAfter !== undefined && (failAfter -= 1) < 0) throw new Error('stopped');
    await store.delete(id);
  },
});

let t: TestServer;
let support: StaffClient;
let auditor: StaffClient;
let admin: StaffClient;
let reviewer: StaffClient;
const calls = activationCalls(() => t.api);

beforeAll(async () => {
  t = await startTestServer({
    PROVISIONING_MOCK_LATENCY_MS: '5', LOGISTICS_MOCK_LATENCY_MS: '5', ACTIVATION_ATTEMPTS: '3',
    SWEEP_INTERVAL_SECONDS: '3600', RETENTION_CLOSED_DAYS: '30', RETENTION_FAILED_ATTEMPT_DAYS: '30', RETENTION_TEMPLATE_DAYS: '7', RETENTION_REGISTRATION_DAYS: '730',
  }, { wrapStorage: stopping });
  support = (await staffMember(t.server, t, ['support'], 'qian.support')).client;
  auditor = (await staffMember(t.server, t, ['auditor'], 'sun.audit')).client;
  admin = (await staffMember(t.server, t, ['administrator'], 'li.admin')).client;
  reviewer = (await staffMember(t.server, t, ['reviewer'], 'he.review')).client;
});

afterAll(async () => {
  await t.stop();
});

const code = (body: unknown): string | undefined => (body as Partial<ErrorBody>).error?.code;
const identity = (name: string) => {
  const who = SANDBOX_IDENTITIES.find((s) => s.name === name);
  if (!who) throw new Error(`no sandbox identity ${name}`);
  return who;
};
let seeds = 0;
const cardOf = async (name?: string): Promise<MockCard> => generateMockCard({
  face: await facePhoto(POSES.sheldon.neutral), ...(name ? { name, idNumber: identity(name).idNumber } : {}), seed: `records-${(seeds += 1)}`,
});
const lookup = (client: StaffClient, by: string, value: string, reason = 'ticket 2026-1201: inspector\'s request') =>
  client.call<{ registrations: RegistrationRecord[] }>('POST', '/api/console/registrations/lookup', { by, value, reason });
const find = (by: string, value: string) => support.call<{ orders: HeldOrder[] }>('POST', '/api/console/requests/find', { by, value, reason: 'buyer called: deletion request' });
const filesIn = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
const objectFile = async (objectId: string): Promise<boolean> => (await filesIn(path.join(t.dataDir, 'evidence'))).some((f) => f.endsWith(objectId));
const orderRow = (id: string) => row<{ state: string; identity: Buffer | null; holder_key: string | null; purged_at: number | null }>(t.server.db, sql`SELECT state, identity, holder_key, purged_at FROM orders WHERE id = ${id}`);
const counts = async (orderId: string) => ({
  evidence: Number((await row<{ n: number }>(t.server.db, sql`SELECT count(*) AS n FROM evidence WHERE order_id = ${orderId}`))?.n),
  frames: Number((await row<{ n: number }>(t.server.db, sql`SELECT count(*) AS n FROM liveness_challenges WHERE order_id = ${orderId} AND (object_id IS NOT NULL OR face IS NOT NULL)`))?.n),
  digests: Number((await row<{ n: number }>(t.server.db, sql`SELECT count(*) AS n FROM liveness_frame_digests WHERE challenge_id IN (SELECT id FROM liveness_challenges WHERE order_id = ${orderId})`))?.n),
});
const objectsOf = async (orderId: string): Promise<string[]> => {
  const { rows } = await sql<{ id: string }>`SELECT object_id AS id FROM evidence WHERE order_id = ${orderId}
    UNION SELECT object_id AS id FROM liveness_challenges WHERE order_id = ${orderId} AND object_id IS NOT NULL`.execute(t.server.db.db);
  return rows.map((r) => r.id);
};

/** An order of an identity the ID service has no record of: rejected. */
async function rejectedOrder(): Promise<{ id: string; token: string; msisdn: string }> {
  const order = await readyOrder(t.api, await cardOf(), POSES.sheldon);
  expect((await t.api.submit(order.id, order.token)).status).toBe(202);
  await waitForState(t.api, order, 'rejected');
  return order;
}

let doorChecked: ShippedOrder;
let online: ShippedOrder;

describe('registration records', () => {
  it('records a door-checked activation and an online one, each whole, and support finds them by number, ICCID or ID number with a reason', async () => {
    const doorCard = await cardOf('张伟');
    doorChecked = await shippedOrder(t, doorCard, POSES.sheldon, 'courier_verified');
    const handed = await t.api.handOver(doorChecked.view.delivery?.trackingNumber ?? '', COURIER.token, {
      code: doorChecked.view.delivery?.handoverCode ?? '', card: await applyEffects(doorCard.images.portrait, { rotate: -1.5 }), face: await cameraFrame(POSES.sheldon.neutral),
    });
    expect(handed.body).toEqual({ outcome: 'handed_over', reasons: [] });
    await waitForState(t.api, doorChecked, 'activated');

    const onlineCard = await cardOf('杨磊');
    online = await shippedOrder(t, onlineCard, POSES.sheldon, 'unactivated');
    // A first attempt by another person fails (and is kept for its short period); the holder's own passes.
    expect((await calls.attempt(online, await applyEffects(onlineCard.images.portrait, { rotate: 1 }), POSES.penny)).outcome).toBe('failed');
    expect((await calls.attempt(online, await applyEffects(onlineCard.images.portrait, { rotate: -1 }), POSES.sheldon)).outcome).toBe('activating');
    await waitForState(t.api, online, 'activated');

    const byNumber = await lookup(support, 'msisdn', doorChecked.msisdn);
    expect(byNumber.status).toBe(200);
    const [door] = byNumber.body.registrations;
    expect(byNumber.body.registrations).toHaveLength(1);
    expect(door).toMatchObject({
      msisdn: doorChecked.msisdn, iccid: doorChecked.iccid, method: 'door_check', courier: { id: COURIER.id, company: COURIER.company },
      activationAttempt: null, identity: { portrait: { name: '张伟', idNumber: identity('张伟').idNumber } },
      authority: { source: 'mock' },
      shipment: { trackingNumber: doorChecked.view.delivery?.trackingNumber, status: 'handed_over' }, order: { id: doorChecked.id, state: 'activated' },
      legalHold: false,
    });
    expect(door?.authority.transactionId).toMatch(/^sandbox-/);
    expect(door?.channel?.agentNumber).toBeTruthy();
    expect(door?.evidence.map((e) => e.kind).sort()).toEqual(['door_card', 'door_face', 'emblem', 'handheld', 'live', 'portrait']);
    expect(door?.times.verified).toBeLessThanOrEqual(door?.times.activated ?? 0);
    expect(door?.times.approved).toBeLessThanOrEqual(door?.times.shipped ?? 0);
    expect(door?.order.transitions.map((x) => x.to)).toEqual(['draft', 'submitted', 'verifying', 'approved', 'shipped', 'activated']);

    const byIccid = (await lookup(support, 'iccid', online.iccid)).body.registrations;
    expect(byIccid).toHaveLength(1);
    expect(byIccid[0]).toMatchObject({ method: 'online_activation', courier: null, order: { id: online.id } });
    expect(byIccid[0]?.activationAttempt).toBeTruthy();
    expect(byIccid[0]?.evidence.map((e) => e.kind).sort()).toEqual(['activation_card', 'activation_live', 'emblem', 'handheld', 'live', 'portrait']);
    // An ID number is found by its keyed hash, written as people write it.
    const byId = (await lookup(auditor, 'idNumber', identity('杨磊').idNumber.toLowerCase())).body.registrations;
    expect(byId.map((r) => r.order.id)).toEqual([online.id]);

    // Each photo opens for the screen or the printout, and each opening is recorded.
    const photo = await fetch(`${t.server.url}/api/console/registrations/${door?.id}/evidence/door_card`, { headers: { cookie: support.cookie } });
    expect([photo.status, photo.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    expect(Buffer.from(await photo.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    const audit = await auditor.call<{ entries: { staff: string; action: string; subject: string; reason: string }[]; chain: { ok: boolean } }>('GET', `/api/console/audit?subject=${doorChecked.id}`);
    expect(audit.body.entries.map((e) => [e.staff, e.action, e.reason])).toEqual(expect.arrayContaining([
      ['qian.support', 'registration.lookup', 'ticket 2026-1201: inspector\'s request'], ['qian.support', 'evidence.view', 'registration: door_card'],
    ]));
    expect(audit.body.chain.ok).toBe(true);
  });

  it('refuses a look-up without a reason, of a value that is not a number, ICCID or ID number, and to a role without the right', async () => {
    expect(code((await lookup(support, 'msisdn', doorChecked.msisdn, '')).body)).toBe('validation_failed');
    expect(code((await lookup(support, 'msisdn', '2380000000')).body)).toBe('validation_failed');
    expect(code((await lookup(support, 'iccid', `${online.iccid.slice(0, -1)}${(Number(online.iccid.at(-1)) + 1) % 10}`)).body)).toBe('validation_failed');
    const id = identity('张伟').idNumber;
    expect(code((await lookup(support, 'idNumber', `${id.slice(0, -1)}${id.endsWith('1') ? '2' : '1'}`)).body)).toBe('validation_failed');
    expect((await lookup(reviewer, 'msisdn', doorChecked.msisdn)).status).toBe(403);
    // Nothing found is an answer, and the look-up is recorded all the same.
    const none = await lookup(support, 'idNumber', identity('王芳').idNumber);
    expect(none.body.registrations).toEqual([]);
  });
});

describe('retention and the buyer\'s rights', () => {
  it('deletes everything of a draft at once when the buyer withdraws consent, and releases its number', async () => {
    const order = await readyOrder(t.api, await cardOf('王芳'), POSES.sheldon);
    const objects = await objectsOf(order.id);
    expect(objects.length).toBe(4);
    const withdrawn = await t.api.post<OrderView>(`/api/orders/${order.id}/withdrawal`, {}, order.token);
    expect([withdrawn.status, withdrawn.body.state]).toEqual([200, 'withdrawn']);
    for (const id of objects) expect(await objectFile(id)).toBe(false);
    expect(await counts(order.id)).toEqual({ evidence: 0, frames: 0, digests: 0 });
    expect(await orderRow(order.id)).toMatchObject({ state: 'withdrawn', identity: null });
    expect((await orderRow(order.id))?.purged_at).not.toBeNull();
    expect((await row<{ status: string }>(t.server.db, sql`SELECT status FROM numbers WHERE msisdn = ${order.msisdn}`))?.status).toBe('available');
    // Once withdrawn, it stays so: nothing submits it, nothing withdraws it twice.
    const again = await t.api.post(`/api/orders/${order.id}/withdrawal`, {}, order.token);
    expect([again.status, code(again.body)]).toEqual([409, 'order_closed']);
    await t.api.submit(order.id, order.token);
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.state).toBe('withdrawn');
  });

  it('sweeps with the clock moved: closed orders emptied (resuming after a stop), a legal hold respected, registrations kept, their templates gone', async () => {
    const swept = await rejectedOrder();
    const held = await rejectedOrder();
    const asked = await rejectedOrder();
    const sweptObjects = await objectsOf(swept.id);
    expect(sweptObjects.length).toBe(4);

    // The buyer's requests: what is held, then deletion, now; a registration is kept by law.
    const found = (await find('msisdn', asked.msisdn)).body.orders.find((o) => o.orderId === asked.id);
    expect(found).toMatchObject({ state: 'rejected', photos: 4, identity: true, deletable: true, keptBecause: null, registered: false });
    expect(found?.deletesAt).toBeGreaterThan(t.now() + 29 * DAY);
    const access = await support.call<{ identity: { portrait: { idNumber?: string } } }>('POST', `/api/console/requests/${asked.id}/access`, { reason: 'buyer called: access request' });
    expect(access.body.identity.portrait.idNumber).toMatch(/^\d{17}[\dX]$/);
    const erased = await support.call<HeldOrder>('POST', `/api/console/requests/${asked.id}/deletion`, { reason: 'buyer called: deletion request' });
    expect(erased.body).toMatchObject({ photos: 0, identity: false, deletable: false });
    const registered = await support.call('POST', `/api/console/requests/${online.id}/deletion`, { reason: 'buyer called: deletion request' });
    expect([registered.status, code(registered.body)]).toEqual([409, 'retention_required']);

    expect((await admin.call('POST', '/api/console/holds', { orderId: held.id, reason: 'police request 2026-77, keep everything' })).status).toBe(201);
    expect((await reviewer.call('POST', '/api/console/holds', { orderId: swept.id, reason: 'no right to set a hold' })).status).toBe(403);
    const heldRefused = await support.call('POST', `/api/console/requests/${held.id}/deletion`, { reason: 'buyer called: deletion request' });
    expect([heldRefused.status, code(heldRefused.body)]).toEqual([409, 'legal_hold']);

    // Within the period, the sweep keeps it all.
    await t.server.retention.sweep();
    expect((await orderRow(swept.id))?.purged_at).toBeNull();

    t.advance(31 * DAY);
    // The process stops after two deletions: what it deleted is gone, the rows still point at the rest.
    failAfter = 2;
    await expect(t.server.retention.sweep()).rejects.toThrow('stopped');
    failAfter = undefined;
    expect((await Promise.all(sweptObjects.map(objectFile))).filter(Boolean).length).toBe(2);
    expect((await orderRow(swept.id))?.purged_at).toBeNull();
    // The next sweep finishes it.
    await t.server.retention.sweep();
    for (const id of sweptObjects) expect(await objectFile(id)).toBe(false);
    expect(await counts(swept.id)).toEqual({ evidence: 0, frames: 0, digests: 0 });
    expect(await orderRow(swept.id)).toMatchObject({ state: 'rejected', identity: null, holder_key: null });
    expect((await orderRow(swept.id))?.purged_at).not.toBeNull();
    // The decision and its reasons stay: the order's history, without the person.
    expect((await row<{ decision: string }>(t.server.db, sql`SELECT decision FROM orders WHERE id = ${swept.id}`))?.decision).toContain('authority_no_record');

    // The legal hold kept everything.
    expect(await orderRow(held.id)).toMatchObject({ purged_at: null });
    expect((await orderRow(held.id))?.identity).not.toBeNull();
    expect((await counts(held.id)).evidence).toBe(3);
    // The failed activation attempt lost its photo and read; the registrations kept their photos, not their templates.
    const attempts = await sql<{ card_object_id: string | null; card_read: Buffer | null; outcome: string }>`SELECT card_object_id, card_read, outcome FROM activation_attempts WHERE order_id = ${online.id}`.execute(t.server.db.db);
    expect(attempts.rows.find((a) => a.outcome === 'failed')).toMatchObject({ card_object_id: null, card_read: null });
    expect(attempts.rows.find((a) => a.outcome === 'activated')?.card_object_id).toEqual(expect.any(String));
    for (const order of [doorChecked, online]) {
      expect(await counts(order.id)).toMatchObject({ evidence: 3, digests: 0 });
      expect((await row<{ n: number }>(t.server.db, sql`SELECT count(*) AS n FROM evidence WHERE order_id = ${order.id} AND face IS NOT NULL`))?.n).toEqual(0);
      for (const id of await objectsOf(order.id)) expect(await objectFile(id)).toBe(true);
    }

    // Lifted, the hold's order goes at the next sweep.
    const lifter = (await staffMember(t.server, t, ['administrator'], 'zhao.admin')).client;
    expect((await lifter.call('POST', `/api/console/holds/${held.id}/lift`, { reason: 'case 2026-77 closed by the police' })).status).toBe(204);
    await t.server.retention.sweep();
    expect((await orderRow(held.id))?.purged_at).not.toBeNull();
  });

  it('keeps a registration while its number is in service and deletes it the period after its service ended', async () => {
    const ops = (await staffMember(t.server, t, ['administrator'], 'qin.admin')).client;
    const desk = (await staffMember(t.server, t, ['support'], 'lu.support')).client;
    const [record] = (await lookup(desk, 'msisdn', doorChecked.msisdn)).body.registrations;
    const objects = record?.evidence.map((e) => e.objectId) ?? [];
    expect(objects).toHaveLength(6);
    expect((await ops.call('POST', `/api/console/registrations/${record?.id}/service-end`, { reason: 'number cancelled by the subscriber' })).status).toBe(204);
    t.advance(729 * DAY);
    await t.server.retention.sweep();
    const stillThere = (await staffMember(t.server, t, ['support'], 'lu.support1')).client;
    expect((await lookup(stillThere, 'msisdn', doorChecked.msisdn)).body.registrations).toHaveLength(1);
    t.advance(2 * DAY);
    await t.server.retention.sweep();
    // Sessions lapsed meanwhile: the desk signs in anew.
    const later = (await staffMember(t.server, t, ['support'], 'lu.support2')).client;
    expect((await lookup(later, 'msisdn', doorChecked.msisdn)).body.registrations).toHaveLength(0);
    for (const id of objects) expect(await objectFile(id)).toBe(false);
    expect(await row(t.server.db, sql`SELECT identity, holder_key, evidence FROM registrations WHERE id = ${record?.id ?? ''}`)).toEqual({ identity: null, holder_key: null, evidence: '[]' });
    // The other registration, still in service, stays whole.
    expect((await lookup(later, 'iccid', online.iccid)).body.registrations).toHaveLength(1);
  });
});
