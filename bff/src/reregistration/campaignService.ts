import { randomUUID } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import {
  type CampaignKind,
  type CampaignView,
  type CampaignsOverview,
  MEMBER_STAGES,
  type NewCampaignRequest,
  type RegistrationStatus,
  formatIsoDate,
  isoFromMs,
  periodOf,
  realNameRate,
  startOfDayInChina,
  todayInChina,
} from '@shared';
import {
  type CampaignSchedule,
  type CampaignStep,
  type MemberProgress,
  SETTLED_STAGES,
  after,
  dueAt,
  restoresService,
  scheduleProblems,
  stepDue,
} from '../domain/reregistration.js';
import { AppError } from '../errors.js';
import { BillingError, type BillingPort } from '../providers/billing/billing.port.js';
import { NotifierError, type NotifierPort, type ReregistrationTemplate } from '../providers/notifier/notifier.port.js';
import { ProvisioningError, type ProvisioningPort } from '../providers/provisioning/provisioning.port.js';
import type { Envelope } from '../crypto/envelope.js';
import type { CampaignMemberRow, CampaignRow, CampaignsDb, LineService, SubscriberRow } from './campaigns.db.js';
import { type ImportReport, type SubscriberRecord, importSubscribers } from './subscriberImport.js';

const DAY_MS = 86_400_000;
/** A step whose service did not answer is tried again this much later. */
const RETRY_MS = 5 * 60_000;
/** How long a sweep holds a member it took (longer than a step's calls may take). */
const CLAIM_MS = 2 * 60_000;
/** Members read at a time by a sweep, and worked on at once. */
const BATCH = 500;
const AT_ONCE = 16;
/** The day's real-name figures are recorded by a sweep at most this often. */
const RECORD_EVERY_MS = 15 * 60_000;

export interface CampaignServiceDeps {
  db: CampaignsDb;
  provisioning: ProvisioningPort;
  billing: BillingPort;
  /** Undefined when the operator sends no text messages: no campaign can start then. */
  notifier: NotifierPort | undefined;
  /** Where subscribers register online: `<public address>/reregister`. */
  link: string;
  envelope: Envelope;
  /** Told of each batch of subscribers imported (the sandbox's provisioning and billing stand-ins learn them). */
  onImported?: (rows: SubscriberRow[]) => void;
  now: () => number;
  log: (level: 'error' | 'info', message: string) => void;
}

export interface NewCampaign {
  name: string;
  kind: CampaignKind;
  /** The registration statuses the campaign is for. */
  statuses: RegistrationStatus[];
  startsAt: number;
  deadlineAt: number;
  remindBeforeDays: number[];
  graceDays: number;
  finalReminderAfterDays: number;
  stopAfterDays: number;
}

export interface SweepReport {
  steps: number;
  /** Taken by another sweep first. */
  skipped: number;
  postponed: number;
  held: number;
}

/** The notice each step sends, if any. */
const NOTICE: Partial<Record<CampaignStep['kind'], ReregistrationTemplate>> = {
  first_notice: 'reregistration_notice',
  reminder: 'reregistration_reminder',
  suspend: 'reregistration_suspended',
  final_reminder: 'reregistration_final',
};

/** A date as notices write it (China's day). */
export const NOTICE_DATE = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' });

export function scheduleOf(row: CampaignRow): CampaignSchedule {
  return {
    startsAt: row.starts_at,
    deadlineAt: row.deadline_at,
    remindBeforeMs: JSON.parse(row.remind_before) as number[],
    graceMs: row.grace_ms,
    finalReminderAfterMs: row.final_reminder_after_ms,
    stopAfterMs: row.stop_after_ms,
  };
}

const progressOf = (member: CampaignMemberRow): MemberProgress => ({ stage: member.stage, remindersSent: member.reminders_sent, stageAt: member.stage_at });

/**
 * Re-registration campaigns (补登记): who is in one, the notices on schedule, and the lifecycle
 * carried out through the provisioning and billing systems, each step logged. A sweep does what is
 * due; a subscriber who registers is taken out of every campaign at once, the line given back.
 */
export class CampaignService {
  readonly #d: CampaignServiceDeps;
  readonly #campaigns = new Map<string, CampaignRow>();
  #sweeping: Promise<SweepReport> | undefined;
  #recordedAt = Number.NEGATIVE_INFINITY;

  constructor(deps: CampaignServiceDeps) {
    this.#d = deps;
  }

  /** Subscribers pushed by the operator's billing system (the live import port), as the file import takes them. */
  importBatch(records: SubscriberRecord[]): Promise<ImportReport> {
    const now = this.#d.now();
    return importSubscribers(records, { db: this.#d.db, envelope: this.#d.envelope, now, today: todayInChina(new Date(now)), ...(this.#d.onImported ? { onBatch: this.#d.onImported } : {}) });
  }

  /** A campaign as the console asks for it: days in China's time zone, registration until the deadline's end. */
  createFromRequest(request: NewCampaignRequest, createdBy: string): Promise<{ campaign: CampaignRow; members: number }> {
    return this.create({
      name: request.name, kind: request.kind, statuses: request.statuses,
      startsAt: startOfDayInChina(request.startsOn), deadlineAt: startOfDayInChina(request.deadline) + DAY_MS,
      remindBeforeDays: request.remindBeforeDays, graceDays: request.graceDays,
      finalReminderAfterDays: request.finalReminderAfterDays, stopAfterDays: request.stopAfterDays,
    }, createdBy);
  }

  /** A campaign over every subscriber in service with one of `statuses`; they are selected at once. */
  async create(input: NewCampaign, createdBy: string): Promise<{ campaign: CampaignRow; members: number }> {
    if (!this.#d.notifier) throw new AppError('validation_failed', 'a campaign sends notices: text messages are off (NOTIFIER=off)', 409);
    const row: CampaignRow = {
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      selection: JSON.stringify(input.statuses),
      starts_at: input.startsAt,
      deadline_at: input.deadlineAt,
      remind_before: JSON.stringify(input.remindBeforeDays.map((d) => d * DAY_MS)),
      grace_ms: input.graceDays * DAY_MS,
      final_reminder_after_ms: input.finalReminderAfterDays * DAY_MS,
      stop_after_ms: input.stopAfterDays * DAY_MS,
      created_by: createdBy,
      created_at: this.#d.now(),
    };
    // Notices promised from a day already gone would leave subscribers less time than the schedule says.
    const problems = [...scheduleProblems(scheduleOf(row)), ...(row.starts_at < row.created_at - DAY_MS ? ['the start is in the past'] : [])];
    if (problems.length > 0) throw new AppError('validation_failed', `the schedule cannot run: ${problems.join('; ')}`, 400);
    const members = await this.#d.db.createCampaign(row, input.statuses);
    this.#d.log('info', `campaign ${row.id} (${row.kind}) created with ${members} subscribers`);
    return { campaign: row, members };
  }

  async #campaign(id: string): Promise<CampaignRow> {
    const known = this.#campaigns.get(id) ?? await this.#d.db.campaign(id);
    if (!known) throw new AppError('not_found', 'no such campaign', 404);
    this.#campaigns.set(id, known);
    return known;
  }

  /** Does every step due now, a batch at a time, until none is due (one sweep at a time). */
  sweep(): Promise<SweepReport> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweep(): Promise<SweepReport> {
    const report: SweepReport = { steps: 0, skipped: 0, postponed: 0, held: 0 };
    const now = this.#d.now();
    for (;;) {
      const due = await this.#d.db.due(now, BATCH);
      if (due.length === 0) {
        if (now - this.#recordedAt >= RECORD_EVERY_MS) await this.recordDay(now);
        return report;
      }
      for (let i = 0; i < due.length; i += AT_ONCE) {
        await Promise.all(due.slice(i, i + AT_ONCE).map(async (member) => {
          report[await this.#step(member, now)] += 1;
        }));
      }
    }
  }

  /** Carries out the step due for one member: done, put off (a service did not answer) or held. */
  async #step(member: CampaignMemberRow, now: number): Promise<keyof SweepReport> {
    if (!await this.#d.db.claim(member, now + CLAIM_MS)) return 'skipped';
    const campaign = await this.#campaign(member.campaign_id);
    const schedule = scheduleOf(campaign);
    const progress = progressOf(member);
    const step = stepDue(schedule, progress, now);
    if (!step) {
      // Read while another process moved it on: its due time is already the next one.
      await this.#d.db.postpone(member, dueAt(schedule, progress) ?? now + RETRY_MS);
      return 'postponed';
    }
    const subscriber = await this.#d.db.subscriber(member.msisdn);
    if (!subscriber) throw new Error(`campaign member ${member.msisdn} is not a subscriber`);
    const key = (what: string): string => `campaign:${campaign.id}:${member.msisdn}:${what}`;
    const line = { iccid: subscriber.iccid, msisdn: subscriber.msisdn };
    let detail: string | null = null;
    let service: LineService | undefined;
    try {
      if (step.kind === 'suspend') {
        await this.#d.provisioning.suspend({ ...line, idempotencyKey: key('suspend'), reason: 'reregistration_overdue', keepEmergencyCalls: true });
        service = 'suspended';
      }
      if (step.kind === 'stop') {
        await this.#d.provisioning.terminate({ ...line, idempotencyKey: key('stop'), reason: 'reregistration_overdue' });
        service = 'stopped';
        const refund = await this.#d.billing.refundBalance({ ...line, idempotencyKey: key('refund'), reason: 'reregistration_overdue' });
        detail = `refund ${refund.refundId} ${refund.amountFen}`;
      }
      const template = NOTICE[step.kind];
      if (template) {
        const sent = await this.#notify(template, member.msisdn, schedule);
        detail = `${template} ${sent.messageId}`;
      }
    } catch (error) {
      const retryable = (error instanceof NotifierError || error instanceof ProvisioningError || error instanceof BillingError) && error.retryable;
      if (retryable || !(error instanceof NotifierError || error instanceof ProvisioningError || error instanceof BillingError)) {
        if (!retryable) this.#d.log('error', `campaign ${campaign.id}: ${step.kind} failed: ${(error as Error).message}`);
        await this.#d.db.postpone(member, now + RETRY_MS);
        return 'postponed';
      }
      // Refused for good (a number not in service, a card the system does not know): a person takes over.
      await this.#d.db.advance(member, { stage: 'held', reminders_sent: member.reminders_sent, stage_at: now, due_at: null },
        { step: `${step.kind}_refused`, detail: error.code, at: now }, service);
      return 'held';
    }
    const next = after(progress, step, now);
    const moved = await this.#d.db.advance(member, { stage: next.stage, reminders_sent: next.remindersSent, stage_at: next.stageAt, due_at: dueAt(schedule, next) },
      { step: step.kind, detail, at: now }, service);
    if (!moved && service === 'suspended') await this.#giveBackIfRegistered(member, key('resume'));
    return 'steps';
  }

  #notify(template: ReregistrationTemplate, msisdn: string, schedule: CampaignSchedule): Promise<{ messageId: string }> {
    const notifier = this.#d.notifier;
    if (!notifier) throw new NotifierError('unavailable', 'text messages are off');
    const stopAt = schedule.deadlineAt + schedule.graceMs + schedule.finalReminderAfterMs + schedule.stopAfterMs;
    return notifier.send({
      to: msisdn,
      template,
      params: { tail: msisdn.slice(-4), deadline: NOTICE_DATE.format(schedule.deadlineAt), stop: NOTICE_DATE.format(stopAt), link: this.#d.link },
    });
  }

  /** A line suspended while its subscriber registered (the two crossed): given back. */
  async #giveBackIfRegistered(member: CampaignMemberRow, idempotencyKey: string): Promise<void> {
    const now = await this.#d.db.member(member.campaign_id, member.msisdn);
    if (now?.stage !== 'registered') return;
    const subscriber = await this.#d.db.subscriber(member.msisdn);
    if (!subscriber) return;
    await this.#d.provisioning.resume({ iccid: subscriber.iccid, msisdn: subscriber.msisdn, idempotencyKey });
    await this.#d.db.setSubscriber(member.msisdn, { service: 'active' }, this.#d.now());
  }

  /** Records today's real-name figures: the whole base's and each campaign's (a later record of the day replaces them). */
  async recordDay(now = this.#d.now()): Promise<void> {
    this.#recordedAt = now;
    const day = formatIsoDate(todayInChina(new Date(now)));
    const base = await this.#d.db.base();
    // A day without subscribers has no rate: nothing is recorded for it.
    const total = sum(Object.values(base));
    if (total > 0) await this.#d.db.recordDay('base', { day, total, registered: base.registered ?? 0 });
    for (const campaign of await this.#d.db.campaigns()) {
      if (campaign.starts_at > now) continue;
      const progress = await this.#d.db.progress(campaign.id);
      const members = sum(Object.values(progress));
      if (members > 0) await this.#d.db.recordDay(campaign.id, { day, total: members, registered: progress.registered ?? 0 });
    }
  }

  async #view(row: CampaignRow): Promise<CampaignView> {
    const progress = await this.#d.db.progress(row.id);
    return {
      id: row.id, name: row.name, kind: row.kind, statuses: JSON.parse(row.selection) as RegistrationStatus[],
      startsAt: isoFromMs(row.starts_at), deadlineAt: isoFromMs(row.deadline_at), createdBy: row.created_by,
      members: sum(Object.values(progress)), progress,
    };
  }

  /** Every campaign with its progress, the base by status, and the real-name rate over time. */
  async overview(): Promise<CampaignsOverview> {
    const rows = await this.#d.db.campaigns();
    const history: CampaignsOverview['history'] = { base: await this.#d.db.history('base'), campaigns: {} };
    for (const row of rows) history.campaigns[row.id] = await this.#d.db.history(row.id);
    const periods = [...new Set(history.base.map((p) => periodOf(p.day)))].reverse();
    return { campaigns: await Promise.all(rows.map((row) => this.#view(row))), base: await this.#d.db.base(), history, periods };
  }

  /**
   * The figures the regulator asks for twice a month, as CSV: for the half month `period`
   * (`YYYY-MM-1`: the 1st to the 15th; `YYYY-MM-2`: the 16th to the month's end), the base at its last
   * recorded day and each campaign's steps taken within it.
   */
  async report(period: string): Promise<string> {
    const [year = 0, month = 1, half = 1] = period.split('-').map(Number);
    const first = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${half === 1 ? '01' : '16'}`;
    const from = startOfDayInChina(first);
    const until = half === 1 ? startOfDayInChina(first) + 15 * DAY_MS : startOfDayInChina(formatIsoDate({ year: month === 12 ? year + 1 : year, month: month === 12 ? 1 : month + 1, day: 1 }));
    const lastDay = formatIsoDate(todayInChina(new Date(until - 1)));
    const base = (await this.#d.db.history('base')).filter((p) => p.day >= first && p.day <= lastDay).at(-1);
    const rows: (string | number)[][] = [
      ['period', first, lastDay],
      ['scope', 'subscribers', 'registered', 'real_name_rate_percent'],
      base ? ['base', base.total, base.registered, realNameRate(base)] : ['base', '', '', ''],
      [],
      ['campaign', 'kind', ...MEMBER_STAGES, ...STEP_COLUMNS],
    ];
    for (const row of await this.#d.db.campaigns()) {
      const progress = await this.#d.db.progress(row.id);
      const steps = await this.#d.db.stepCounts(row.id, from, until);
      rows.push([row.name, row.kind, ...MEMBER_STAGES.map((s) => progress[s] ?? 0), ...STEP_COLUMNS.map((s) => steps[s] ?? 0)]);
    }
    // A campaign's name is typed by staff: never read as a formula by a spreadsheet.
    return stringify(rows, { escape_formulas: true });
  }

  /**
   * The subscriber behind `msisdn` registered (online or in a store): out of every open campaign at
   * once, and a line a campaign suspended given back (emergency-only no more). A stopped line stays
   * stopped: the number has left the subscriber.
   */
  async registered(msisdn: string, holderKey: string | null): Promise<{ restored: boolean }> {
    const subscriber = await this.#d.db.subscriber(msisdn);
    if (!subscriber) throw new AppError('not_found', 'no such subscriber', 404);
    if (subscriber.service === 'stopped') throw new AppError('validation_failed', 'this number\'s service was stopped', 409);
    const now = this.#d.now();
    let restored = false;
    for (const open of await this.#d.db.openMemberships(msisdn, SETTLED_STAGES)) {
      // Read again on each try: a sweep may move the member on (suspend it) meanwhile.
      for (let member: CampaignMemberRow | undefined = open; member && !SETTLED_STAGES.includes(member.stage);
        member = await this.#d.db.member(open.campaign_id, msisdn)) {
        const suspended = restoresService(member.stage);
        if (suspended) {
          await this.#d.provisioning.resume({ iccid: subscriber.iccid, msisdn, idempotencyKey: `campaign:${member.campaign_id}:${msisdn}:resume` });
          restored = true;
        }
        if (await this.#d.db.advance(member, { stage: 'registered', reminders_sent: member.reminders_sent, stage_at: now, due_at: null },
          { step: suspended ? 'registered_restored' : 'registered', detail: null, at: now }, suspended ? 'active' : undefined)) break;
      }
    }
    await this.#d.db.setSubscriber(msisdn, { registration: 'registered', holder_key: holderKey }, now);
    return { restored };
  }
}

const sum = (values: (number | undefined)[]): number => values.reduce<number>((a, b) => a + (b ?? 0), 0);

/** The steps the report counts within its period, as its columns. */
const STEP_COLUMNS = ['first_notice', 'reminder', 'suspend', 'final_reminder', 'stop', 'registered', 'registered_restored'] as const;

