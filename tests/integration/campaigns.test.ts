import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit, todayInChina } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { SandboxBilling } from '../../bff/src/providers/billing/sandbox.billing.js';
import { SandboxNotifier } from '../../bff/src/providers/notifier/sandbox.notifier.js';
import { CampaignsDb } from '../../bff/src/reregistration/campaigns.db.js';
import { type SubscriberRecord, importSubscribers } from '../../bff/src/reregistration/subscriberImport.js';
import { type TestServer, startTestServer } from '../support/testServer.js';

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

const texts = (msisdn: string): string[] => inbox.inbox(500).filter((m) => m.to === msisdn).map((m) => m.text).reverse();
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

    // Registered online a few days in: never touched again.
    t.advance(3 * DAY);
    expect(await t.server.campaigns.registered(NUMBERS.registersEarly, null)).toEqual({ restored: false });

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

    // Registering while suspended gives the line back at once.
    expect(await t.server.campaigns.registered(NUMBERS.registersSuspended, null)).toEqual({ restored: true });
    expect((await line(NUMBERS.registersSuspended))?.status).toBe('active');
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

  it('refuses a schedule that cannot run, and nobody is selected', async () => {
    const now = t.now();
    await expect(t.server.campaigns.create({
      name: 'backwards', kind: 'reregistration', statuses: ['unregistered'],
      startsAt: now + DAY, deadlineAt: now, remindBeforeDays: [1], graceDays: 3, finalReminderAfterDays: 7, stopAfterDays: 15,
    }, 'admin.test')).rejects.toThrow(/deadline is not after the start/u);
  });
});
