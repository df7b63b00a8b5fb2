import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit, todayInChina } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { SandboxBilling } from '../../bff/src/providers/billing/sandbox.billing.js';
import { SandboxNotifier } from '../../bff/src/providers/notifier/sandbox.notifier.js';
import { CampaignsDb } from '../../bff/src/reregistration/campaigns.db.js';
import { type SubscriberRecord, importSubscribers } from '../../bff/src/reregistration/subscriberImport.js';
import type { CampaignsOverview, CreatedOrder, ErrorBody, NumberSession, OrderView, RegistrationRecord, StaffAction } from '@shared';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { copyDraft } from '../support/db.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES } from '../support/liveFrames.js';
import { staffMember } from '../support/staff.js';
import { type TestServer, completeDraft, startTestServer, waitForState } from '../support/testServer.js';

const DAY = 86_400_000;
let t: TestServer;
let inbox: SandboxNotifier;
let db: CampaignsDb;

/** A well-formed ICCID for the n-th test card. */
const iccidOf = (n: number): string => {
  const body = `898600${String(n).padStart(12, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
};

/** The subscribers: who they stand for is in their name. */
const NUMBERS = {
  registersEarly: '13800010001',
  neverRegisters: '13800010002',
  registersSuspended: '13800010003',
  alreadyRegistered: '13800010004',
  smsBlocked: '13800014444',
};
const records: SubscriberRecord[] = Object.values(NUMBERS).map((msisdn, i) => ({
  msisdn,
  iccid: iccidOf(i + 1),
  registration: msisdn === NUMBERS.alreadyRegistered ? 'registered' : 'unregistered',
  channel: 'store-0571',
  idNumber: msisdn === NUMBERS.alreadyRegistered ? SANDBOX_IDENTITIES[0]?.idNumber : undefined,
}));

beforeAll(async () => {
  t = await startTestServer({ PROVISIONING_MOCK_FAILURE_RATE: '0', PROVISIONING_MOCK_LATENCY_MS: '2', BILLING_MOCK_LATENCY_MS: '2' });
  inbox = new SandboxNotifier(path.join(t.dataDir, 'sandbox-sms.db'), { signature: 'test' });
  db = new CampaignsDb(t.server.db.database);
});

afterAll(async () => {
  inbox.close();
  await t.stop();
});

/** A sweep that starts after the clock moved (one already running may have read the clock before). */
async function sweep(): Promise<void> {
  await t.server.campaigns.sweep();
  await t.server.campaigns.sweep();
}

/** The latest code the sandbox SMS centre delivered to `msisdn`, once there are `count` (the send follows the answer). */
async function codeSentTo(msisdn: string, count: number): Promise<string> {
  await expect.poll(() => inbox.inbox(500).filter((m) => m.to === msisdn && m.text.includes('验证码')).length, { timeout: 10_000 }).toBe(count);
  return /验证码为 (\d{6})/u.exec(inbox.inbox(500).find((m) => m.to === msisdn)?.text ?? '')?.[1] ?? '';
}

/**
 * The online channel's first steps, as the subscriber takes them: a code to the number, read from
 * the SMS centre; the session it opens; the identity check's draft, with consent given.
 */
async function reregisterDraft(msisdn: string): Promise<{ id: string; token: string }> {
  const codes = inbox.inbox(500).filter((m) => m.to === msisdn && m.text.includes('验证码')).length;
  expect((await t.api.post('/api/reregister/code', { msisdn })).status).toBe(202);
  const proved = await t.api.post<{ sessionToken: string }>('/api/reregister/confirm', { msisdn, code: await codeSentTo(msisdn, codes + 1) });
  expect(proved.status).toBe(200);
  const created = await t.api.post<CreatedOrder>('/api/reregister/orders', {}, proved.body.sessionToken);
  expect(created.status).toBe(201);
  expect(created.body.order).toMatchObject({ msisdn, deliveryPath: 'reregistration', state: 'draft' });
  const order = { id: created.body.order.id, token: created.body.orderToken };
  expect((await t.api.post(`/api/orders/${order.id}/consent`, { identity: true, biometric: true, policyVersion: '2026-11' }, order.token)).status).toBe(200);
  return order;
}

/** The identity check submitted and decided; the order as it ends. */
async function submitted(order: { id: string; token: string }, state: OrderView['state']): Promise<OrderView> {
  expect((await t.api.submit(order.id, order.token)).status).toBe(202);
  await t.server.orders.settled(order.id);
  return waitForState(t.api, order, state);
}

/** Who registers online in the campaign below: a sandbox identity the national ID service knows. */
const ONLINE = SANDBOX_IDENTITIES[4]!;

/** The notices sent to `msisdn`, oldest first (the codes proving the number left out). */
const texts = (msisdn: string): string[] => inbox.inbox(500).filter((m) => m.to === msisdn && !m.text.includes('验证码')).map((m) => m.text).reverse();
const line = async (msisdn: string) => t.server.sandboxProvisioning?.status(iccidOf(Object.values(NUMBERS).indexOf(msisdn) + 1));
const changes = (msisdn: string): string[] => t.server.sandboxProvisioning?.history(iccidOf(Object.values(NUMBERS).indexOf(msisdn) + 1)).changes ?? [];

describe('a re-registration campaign (补登记) moved through by the clock', () => {
  it('notifies on schedule, suspends only after the deadline and its grace with emergency calls kept, restores at once on registering, and stops with a refund', async () => {
    const imported = await importSubscribers([...records, { msisdn: '1380001', iccid: iccidOf(9), registration: 'unregistered', channel: 'x' }, { ...records[0]!, msisdn: '13800019999', registration: 'maybe' }], {
      db, envelope: t.server.envelope, now: t.now(), today: todayInChina(),
      onBatch: (rows) => t.server.sandboxProvisioning?.adopt(rows),
    });
    expect(imported.imported).toBe(5);
    // Refused records are named by position and field, never by content.
    expect(imported.refused).toEqual([{ at: 6, field: 'msisdn' }, { at: 7, field: 'registration' }]);
    const registered = await db.subscriber(NUMBERS.alreadyRegistered);
    expect(registered?.holder_key).toMatch(/^[\w-]{43}$/u);
    expect(JSON.stringify(registered)).not.toContain(SANDBOX_IDENTITIES[0]?.idNumber);

    const start = t.now() + 3_600_000;
    const deadline = start + 30 * DAY;
    const { campaign, members } = await t.server.campaigns.create({
      name: '2027 年第一季度补登记', kind: 'reregistration', statuses: ['unregistered', 'incomplete', 'suspected_false'],
      startsAt: start, deadlineAt: deadline, remindBeforeDays: [7, 1], graceDays: 3, finalReminderAfterDays: 7, stopAfterDays: 15,
    }, 'admin.test');
    // Everyone not registered; the registered subscriber is not in it.
    expect(members).toBe(4);

    // Before the start: nothing.
    await sweep();
    expect(texts(NUMBERS.neverRegisters)).toEqual([]);

    // The start: the first notice, with the deadline and the link, and what it does not cost.
    t.advance(start - t.now() + 60_000);
    await sweep();
    const [notice] = texts(NUMBERS.neverRegisters);
    expect(notice).toContain('补充登记身份信息');
    expect(notice).toContain(`${t.server.publicUrl}/reregister`);
    expect(notice).toContain('免费，不改变套餐');
    expect(notice).toContain('紧急呼叫除外');
    expect(notice).toMatch(/\d{4}年\d{1,2}月\d{1,2}日前/u);
    expect(texts(NUMBERS.alreadyRegistered)).toEqual([]);
    // A number that refuses the operator's messages cannot be told: a person takes it over, nothing automatic follows.
    expect((await db.member(campaign.id, NUMBERS.smsBlocked))?.stage).toBe('held');

    // Registered online a few days in, through the same photos, live check and national ID check as a
    // purchase: never touched again. Nothing is shipped; the number's registration record is made.
    t.advance(3 * DAY);
    const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: ONLINE.name, idNumber: ONLINE.idNumber, seed: 'reregister' });
    const early = await completeDraft(t.api, await reregisterDraft(NUMBERS.registersEarly), card, POSES.sheldon);
    const done = await submitted(early, 'activated');
    expect(done.decision?.outcome).toBe('approved');
    expect(done.journey).toBeUndefined();
    expect((await db.member(campaign.id, NUMBERS.registersEarly))?.stage).toBe('registered');
    expect(await t.server.db.db.selectFrom('shipments').select('order_id').where('order_id', '=', early.id).execute()).toEqual([]);
    const support = (await staffMember(t.server, t, ['support'])).client;
    const found = await support.call<{ registrations: RegistrationRecord[] }>('POST', '/api/console/registrations/lookup', { by: 'msisdn', value: NUMBERS.registersEarly, reason: 'ticket 2026-1203: re-registration' });
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    const [record] = found.body.registrations;
    expect(record).toMatchObject({ method: 'online_reregistration', iccid: iccidOf(1), msisdn: NUMBERS.registersEarly } satisfies Partial<RegistrationRecord>);
    expect(record?.identity.portrait.idNumber).toBe(ONLINE.idNumber);
    expect(record?.evidence.map((e) => e.kind).sort()).toEqual(['emblem', 'handheld', 'live', 'portrait']);
    expect((await db.subscriber(NUMBERS.registersEarly))?.registration).toBe('registered');

    // The reminders, a week and a day before the deadline.
    t.advance(deadline - 7 * DAY - t.now() + 60_000);
    await sweep();
    t.advance(6 * DAY);
    await sweep();
    expect(texts(NUMBERS.neverRegisters)).toHaveLength(3);
    expect(texts(NUMBERS.neverRegisters).slice(1).every((text) => text.includes('提醒'))).toBe(true);
    expect(texts(NUMBERS.registersEarly)).toHaveLength(1);

    // After the deadline, within the grace: nobody is suspended.
    t.advance(deadline - t.now() + 2 * DAY);
    await sweep();
    expect((await line(NUMBERS.neverRegisters))?.status).toBe('active');

    // After the grace: suspended, emergency calls kept, and told so.
    t.advance(DAY + 60_000);
    await sweep();
    for (const msisdn of [NUMBERS.neverRegisters, NUMBERS.registersSuspended]) {
      expect((await line(msisdn))?.status).toBe('suspended');
      expect(changes(msisdn)).toEqual(['suspend_keep_emergency']);
      expect(texts(msisdn).at(-1)).toContain('紧急呼叫不受影响');
      expect((await db.subscriber(msisdn))?.service).toBe('suspended');
    }
    for (const msisdn of [NUMBERS.registersEarly, NUMBERS.smsBlocked, NUMBERS.alreadyRegistered]) expect(changes(msisdn)).toEqual([]);

    // Registering online while suspended gives the line back at once (the same person's photos and live
    // check, taken again on this number's draft).
    const late = await reregisterDraft(NUMBERS.registersSuspended);
    await copyDraft(t.server.db, t.server.envelope, early.id, late.id);
    await submitted(late, 'activated');
    expect((await line(NUMBERS.registersSuspended))?.status).toBe('active');
    expect((await db.subscriber(NUMBERS.registersSuspended))?.service).toBe('active');
    expect(changes(NUMBERS.registersSuspended)).toEqual(['suspend_keep_emergency', 'resume']);

    // The final reminder (催告) a week after the suspension, then the stop with the balance refunded.
    t.advance(7 * DAY);
    await sweep();
    expect(texts(NUMBERS.neverRegisters).at(-1)).toContain('催告');
    expect((await line(NUMBERS.neverRegisters))?.status).toBe('suspended');
    t.advance(15 * DAY);
    await sweep();
    expect((await line(NUMBERS.neverRegisters))?.status).toBe('stopped');
    const billing = new SandboxBilling(path.join(t.dataDir, 'sandbox-billing.db'));
    try {
      expect(billing.refunds(NUMBERS.neverRegisters)).toEqual([expect.objectContaining({ amountFen: 20, reason: 'reregistration_overdue' })]);
    } finally {
      billing.close();
    }

    // Every step logged, in order; the others never reached the suspension or the stop.
    const steps = async (msisdn: string): Promise<string[]> => (await db.steps(campaign.id, msisdn)).map((s) => s.step);
    expect(await steps(NUMBERS.neverRegisters)).toEqual(['first_notice', 'reminder', 'reminder', 'suspend', 'final_reminder', 'stop']);
    expect(await steps(NUMBERS.registersEarly)).toEqual(['first_notice', 'registered']);
    expect(await steps(NUMBERS.registersSuspended)).toEqual(['first_notice', 'reminder', 'reminder', 'suspend', 'registered_restored']);
    expect(await steps(NUMBERS.smsBlocked)).toEqual(['first_notice_refused']);
    expect(await db.progress(campaign.id)).toEqual({ stopped: 1, registered: 2, held: 1 });
    // Nothing more is due for anyone, however late.
    t.advance(365 * DAY);
    await sweep();
    expect(await steps(NUMBERS.neverRegisters)).toHaveLength(6);
    // A stopped number cannot be registered back into service.
    await expect(t.server.campaigns.registered(NUMBERS.neverRegisters, null)).rejects.toThrow(/stopped/u);
  });

  it('shows the console the campaigns, the real-name rate over time and the regulator\'s half-monthly figures, to whom may see them', async () => {
    const admin = (await staffMember(t.server, t, ['administrator'])).client;
    const auditor = (await staffMember(t.server, t, ['auditor'])).client;
    const reviewer = (await staffMember(t.server, t, ['reviewer'])).client;
    expect((await reviewer.call('GET', '/api/console/campaigns')).status).toBe(403);

    const seen = await auditor.call<CampaignsOverview>('GET', '/api/console/campaigns');
    expect(seen.status).toBe(200);
    const [first] = seen.body.campaigns;
    expect(first?.name).toBe('2027 年第一季度补登记');
    expect(first?.progress).toEqual({ stopped: 1, registered: 2, held: 1 });
    expect(seen.body.base).toEqual({ registered: 3, unregistered: 1 });
    // Recorded by the sweeps as the clock moved: the rate of the campaign's members went up as they registered.
    const campaignDays = seen.body.history.campaigns[first?.id ?? ''] ?? [];
    expect(campaignDays.length).toBeGreaterThanOrEqual(4);
    expect(campaignDays[0]?.registered).toBe(0);
    expect(campaignDays.at(-1)).toMatchObject({ total: 4, registered: 2 });
    expect(seen.body.history.base.at(-1)).toMatchObject({ total: 4, registered: 3 });

    // Only an administrator starts one; a name typed as a formula stays text in the regulator's file.
    const request = {
      name: '=HYPERLINK("https://x.example")', kind: 'recheck', statuses: ['incomplete'], startsOn: '2030-01-01', deadline: '2030-03-31',
      remindBeforeDays: [7], graceDays: 3, finalReminderAfterDays: 7, stopAfterDays: 15,
    };
    expect((await auditor.call('POST', '/api/console/campaigns', request)).status).toBe(403);
    const bad = await admin.call<ErrorBody>('POST', '/api/console/campaigns', { ...request, deadline: '2029-12-01' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'validation_failed']);
    expect((await admin.call<ErrorBody>('POST', '/api/console/campaigns', { ...request, extra: 1 })).status).toBe(400);
    const made = await admin.call<{ id: string; members: number }>('POST', '/api/console/campaigns', request);
    expect([made.status, made.body.members]).toEqual([201, 0]);

    const day = new Date(t.now() + 8 * 3_600_000);
    const period = `${day.getUTCFullYear()}-${String(day.getUTCMonth() + 1).padStart(2, '0')}-${day.getUTCDate() <= 15 ? 1 : 2}`;
    const report = await fetch(`${t.server.url}/api/console/campaigns/report?period=${period}`, { headers: { cookie: auditor.cookie } });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toContain('text/csv');
    const csv = await report.text();
    expect(csv).toContain('scope,subscribers,registered,real_name_rate_percent');
    expect(csv).toContain('base,4,3,75');
    expect(csv).toContain('2027 年第一季度补登记,reregistration,0,0,0,0,0,1,2,1');
    expect(csv).toContain('"\'=HYPERLINK(""https://x.example"")",recheck');
    expect((await auditor.call<ErrorBody>('GET', '/api/console/campaigns/report?period=2026-13')).status).toBe(400);

    const actions = await auditor.call<{ actions: StaffAction[] }>('GET', '/api/console/actions');
    expect(actions.body.actions.map((a) => a.action)).toEqual(expect.arrayContaining(['campaign.create', 'campaign.report']));
  });

  it('puts every number of an identity holding five or more into a five-card campaign, and no number of one holding four', async () => {
    const [, many, few] = SANDBOX_IDENTITIES;
    const holders = [...Array.from({ length: 6 }, () => many?.idNumber), ...Array.from({ length: 4 }, () => few?.idNumber)];
    const report = await importSubscribers(holders.map((idNumber, i) => ({
      msisdn: `1380002${String(i).padStart(4, '0')}`, iccid: iccidOf(100 + i), registration: 'registered', channel: `agent-${i}`, idNumber,
    })), { db, envelope: t.server.envelope, now: t.now(), today: todayInChina() });
    expect(report.imported).toBe(10);
    const { campaign, members } = await t.server.campaigns.create({
      name: '一证五卡以上核查', kind: 'five_cards', statuses: ['registered'],
      startsAt: t.now() + DAY, deadlineAt: t.now() + 30 * DAY, remindBeforeDays: [7], graceDays: 3, finalReminderAfterDays: 7, stopAfterDays: 15,
    }, 'admin.test');
    expect(members).toBe(6);
    for (let i = 0; i < 10; i += 1) expect(Boolean(await db.member(campaign.id, `1380002${String(i).padStart(4, '0')}`))).toBe(i < 6);
  });

  it('refuses a schedule that cannot run or starts in the past, and nobody is selected', async () => {
    const now = t.now();
    await expect(t.server.campaigns.create({
      name: 'backwards', kind: 'reregistration', statuses: ['unregistered'],
      startsAt: now + DAY, deadlineAt: now, remindBeforeDays: [1], graceDays: 3, finalReminderAfterDays: 7, stopAfterDays: 15,
    }, 'admin.test')).rejects.toThrow(/deadline is not after the start/u);
    await expect(t.server.campaigns.create({
      name: 'late', kind: 'reregistration', statuses: ['unregistered'],
      startsAt: now - 3 * DAY, deadlineAt: now + 30 * DAY, remindBeforeDays: [1], graceDays: 3, finalReminderAfterDays: 7, stopAfterDays: 15,
    }, 'admin.test')).rejects.toThrow(/start is in the past/u);
  });
});

describe('proving a number before re-registering it online', () => {
  const held = '13800030001';
  const stranger = '13800039999';
  type Proved = { sessionToken: string; session: NumberSession };
  const askCode = (msisdn: string) => t.api.post<{ number: string; codeExpiresAt: string }>('/api/reregister/code', { msisdn });
  const confirm = (msisdn: string, code: string) => t.api.post<Proved>('/api/reregister/confirm', { msisdn, code });
  const errorCode = (body: unknown): string | undefined => (body as Partial<ErrorBody>).error?.code;
  /** The code the sandbox SMS centre delivered to `msisdn` last (the send follows the answer). */
  async function codeSentTo(msisdn: string, count: number): Promise<string> {
    await expect.poll(() => inbox.inbox(500).filter((m) => m.to === msisdn && m.text.includes('验证码')).length, { timeout: 10_000 }).toBe(count);
    return /验证码为 (\d{6})/u.exec(inbox.inbox(500).find((m) => m.to === msisdn)?.text ?? '')?.[1] ?? '';
  }

  it('sends a code to a subscriber\'s number that opens a session once, and a stranger\'s number gets the same answer and nothing', async () => {
    await importSubscribers([{ msisdn: held, iccid: iccidOf(300), registration: 'unregistered', channel: 'store-0571' }], { db, envelope: t.server.envelope, now: t.now(), today: todayInChina() });
    await t.server.campaigns.create({
      name: '号码验证', kind: 'reregistration', statuses: ['unregistered'],
      startsAt: t.now() + DAY, deadlineAt: t.now() + 30 * DAY, remindBeforeDays: [7], graceDays: 3, finalReminderAfterDays: 7, stopAfterDays: 15,
    }, 'admin.test');

    const sent = await askCode(held);
    const other = await askCode(stranger);
    expect([sent.status, other.status]).toEqual([202, 202]);
    expect(sent.body.number).toBe('138****0001');
    expect(Object.keys(other.body)).toEqual(Object.keys(sent.body));
    // One a minute per number.
    const again = await askCode(held);
    expect([again.status, errorCode(again.body)]).toEqual([429, 'rate_limited']);

    const code = await codeSentTo(held, 1);
    expect(code).toMatch(/^\d{6}$/u);
    const wrong = code === '000000' ? '000001' : '000000';
    const missed = await confirm(held, wrong);
    expect([missed.status, errorCode(missed.body)]).toEqual([400, 'contact_code_wrong']);
    const proved = await confirm(held, code);
    expect(proved.status).toBe(200);
    expect(proved.body.session).toMatchObject({ number: '138****0001', registration: 'unregistered', service: 'active', deadlines: [{ stage: 'selected' }] });
    // Used once.
    const reused = await confirm(held, code);
    expect([reused.status, errorCode(reused.body)]).toEqual([410, 'contact_code_expired']);
    expect((await t.api.get<NumberSession>('/api/reregister/session', proved.body.sessionToken)).status).toBe(200);
    expect((await t.api.get('/api/reregister/session', 'not-a-session')).status).toBe(404);

    // Nothing was sent to the stranger's number, and no code opens it.
    expect(inbox.inbox(500).filter((m) => m.to === stranger)).toEqual([]);
    expect((await confirm(stranger, code)).status).toBe(400);

    // The session ends after half an hour.
    t.advance(31 * 60_000);
    expect((await t.api.get('/api/reregister/session', proved.body.sessionToken)).status).toBe(404);
  });

  it('takes five wrong tries at a code, then not even the right one; a code runs out after five minutes', async () => {
    t.advance(2 * 60_000);
    expect((await askCode(held)).status).toBe(202);
    const code = await codeSentTo(held, 2);
    const wrong = code === '000000' ? '000001' : '000000';
    const tries = [];
    for (let i = 0; i < 5; i += 1) tries.push(await confirm(held, wrong));
    expect(tries.map((r) => r.status)).toEqual([400, 400, 400, 400, 410]);
    expect(tries.map((r) => errorCode(r.body))).toEqual(['contact_code_wrong', 'contact_code_wrong', 'contact_code_wrong', 'contact_code_wrong', 'contact_code_expired']);
    expect((await confirm(held, code)).status).toBe(410);

    t.advance(2 * 60_000);
    expect((await askCode(held)).status).toBe(202);
    const late = await codeSentTo(held, 3);
    t.advance(6 * 60_000);
    expect((await confirm(held, late)).status).toBe(410);
  });
});

describe('re-registering online', () => {
  const cardOf = async (name: string) => {
    const who = SANDBOX_IDENTITIES.find((s) => s.name === name)!;
    return generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who.name, idNumber: who.idNumber, seed: `reregister-${name}` });
  };

  it('applies the five-card cap to the identity: one holding five cards elsewhere is refused, one holding four registers its number', async () => {
    const [five, four, stopped] = ['13800050001', '13800050002', '13800050003'] as const;
    await importSubscribers([
      { msisdn: five, iccid: iccidOf(501), registration: 'unregistered', channel: 'store-0571' },
      { msisdn: four, iccid: iccidOf(502), registration: 'suspected_false', channel: 'store-0571' },
      { msisdn: stopped, iccid: iccidOf(503), registration: 'unregistered', channel: 'store-0571' },
    ], { db, envelope: t.server.envelope, now: t.now(), today: todayInChina() });
    await db.setSubscriber(stopped, { service: 'stopped' }, t.now());

    // 孙丽 holds five cards through other channels: this number cannot be her sixth.
    const refused = await completeDraft(t.api, await reregisterDraft(five), await cardOf('孙丽'), POSES.sheldon);
    const submission = await t.api.submit(refused.id, refused.token);
    expect([submission.status, (submission.body as unknown as ErrorBody).error.code]).toEqual([409, 'card_cap_reached']);
    expect((await db.subscriber(five))?.registration).toBe('unregistered');

    // 马超 holds four: this number is his fifth.
    const allowed = await completeDraft(t.api, await reregisterDraft(four), await cardOf('马超'), POSES.sheldon);
    const done = await submitted(allowed, 'activated');
    expect(done.decision?.outcome).toBe('approved');
    expect(await db.subscriber(four)).toMatchObject({ registration: 'registered', service: 'active' });
    // The operator's books (the sandbox's) now count it under him: a purchase by him would be his sixth.
    expect(await t.server.sandboxBilling?.activeCards({ idNumber: SANDBOX_IDENTITIES.find((s) => s.name === '马超')!.idNumber })).toEqual({ active: 1 });

    // A stopped number opens nothing: no code is sent to it.
    expect((await t.api.post('/api/reregister/code', { msisdn: stopped })).status).toBe(202);
    expect(inbox.inbox(500).filter((m) => m.to === stopped)).toEqual([]);
  });

  it('opens the identity check only with a live session, and the session opens nothing else', async () => {
    const none = await t.api.post<ErrorBody>('/api/reregister/orders', {});
    expect([none.status, none.body.error.code]).toEqual([404, 'not_found']);
    const forged = await t.api.post<ErrorBody>('/api/reregister/orders', {}, 'not-a-session');
    expect(forged.status).toBe(404);
    t.advance(2 * 60_000);
    const draft = await reregisterDraft('13800050002');
    // The order's token is the order's only: another order is not found with it.
    const other = await reregisterDraft('13800010004');
    expect((await t.api.get(`/api/orders/${other.id}`, draft.token)).status).toBe(404);
  });
});

describe('the live import port', () => {
  it('takes subscribers pushed by the billing system with the operator\'s key, refusing bad records by place, and the sandbox\'s systems learn them', async () => {
    const key = (await readFile(path.join(t.dataDir, 'operator.token'), 'utf8')).trim();
    const batch = { subscribers: [
      { msisdn: '13800040001', iccid: iccidOf(400), registration: 'incomplete', channel: 'billing-push' },
      { msisdn: '13800040002', iccid: '8986', registration: 'unregistered', channel: 'billing-push' },
      { msisdn: '13800040003', iccid: iccidOf(402), registration: 'registered', channel: 'billing-push', idNumber: SANDBOX_IDENTITIES[3]?.idNumber },
    ] };
    expect((await t.api.post('/api/operator/subscribers', batch)).status).toBe(401);
    expect((await t.api.post('/api/operator/subscribers', batch, 'not-the-key')).status).toBe(401);
    const pushed = await t.api.post<{ imported: number; refused: { at: number; field: string }[] }>('/api/operator/subscribers', batch, key);
    expect(pushed.status).toBe(200);
    expect(pushed.body).toEqual({ imported: 2, refused: [{ at: 2, field: 'iccid' }] });
    expect((await db.subscriber('13800040001'))?.registration).toBe('incomplete');
    expect((await t.server.sandboxProvisioning?.status(iccidOf(400)))?.status).toBe('active');
    // The billing stand-in's books count the registered one under its holder.
    expect(await t.server.sandboxBilling?.activeCards({ idNumber: SANDBOX_IDENTITIES[3]?.idNumber ?? '' })).toEqual({ active: 1 });
    // A full batch fits the port's body limit; one more record is refused.
    const full = { subscribers: Array.from({ length: 2000 }, (_, i) => ({ ...batch.subscribers[2], msisdn: `1380005${String(i).padStart(4, '0')}`, iccid: iccidOf(1000 + i) })) };
    expect((await t.api.post('/api/operator/subscribers', full, key)).body).toEqual({ imported: 2000, refused: [] });
    // A card another number holds (already, or earlier in the same batch) is refused, not half-stored.
    const taken = await t.api.post<{ imported: number; refused: { at: number; field: string }[] }>('/api/operator/subscribers', { subscribers: [
      { msisdn: '13800040009', iccid: iccidOf(400), registration: 'unregistered', channel: 'billing-push' },
      { msisdn: '13800040010', iccid: iccidOf(410), registration: 'unregistered', channel: 'billing-push' },
      { msisdn: '13800040011', iccid: iccidOf(410), registration: 'unregistered', channel: 'billing-push' },
    ] }, key);
    expect(taken.body).toEqual({ imported: 1, refused: [{ at: 1, field: 'iccid_taken' }, { at: 3, field: 'iccid_taken' }] });
    expect(await db.subscriber('13800040009')).toBeUndefined();
    expect((await db.subscriber('13800040001'))?.iccid).toBe(iccidOf(400));
    const tooMany = { subscribers: Array.from({ length: 2001 }, () => batch.subscribers[0]) };
    expect((await t.api.post<ErrorBody>('/api/operator/subscribers', tooMany, key)).status).toBe(400);
  });
});
