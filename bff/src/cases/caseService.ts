import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  CASE_DEADLINE_HOURS,
  type CaseAction,
  type CaseDetail,
  type CaseEvent,
  type CaseSummary,
  type CreatedOrder,
  type FiledReport,
  type OpenedInMyName,
  type PublicReport,
  type RegisteredNumber,
  type ReportKind,
  type ReportStatus,
  type UpdateChannelRequest,
  isoFromMs,
} from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { AppError } from '../errors.js';
import type { OrderRow } from '../providers/db/orders.db.js';
import { sealedAs } from '../providers/db/sealed.js';
import { type ProvisioningPort, ProvisioningError } from '../providers/provisioning/provisioning.port.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';
import type { NotifierPort } from '../providers/notifier/notifier.port.js';
import { NOTICE_DATE } from '../reregistration/campaignService.js';
import type { RegistrationsDb } from '../registrations/registrations.db.js';
import type { CampaignsDb } from '../reregistration/campaigns.db.js';
import { acceptScreenshot } from '../verification/intake.js';
import type { CaseEventRow, CaseRow, CasesDb } from './cases.db.js';

export interface CaseDeps {
  db: CasesDb;
  registrations: Pick<RegistrationsDb, 'find' | 'channel'>;
  subscribers: Pick<CampaignsDb, 'subscriber' | 'linesOf' | 'setSubscriber' | 'upsertSubscribers'>;
  orders: { createIdentityCheck(): Promise<CreatedOrder> };
  /** An agent by its number (undefined: none), and changing its status as a channel manager would. */
  agents: { byNumber(agentNumber: string): Promise<{ id: string } | undefined>; update(id: string, request: UpdateChannelRequest, actor: string): Promise<unknown> };
  staffExists: (username: string) => Promise<boolean>;
  provisioning: ProvisioningPort;
  /** The SMS service (none when notices are off): a number put through re-verification is told where and by when. */
  notifier: NotifierPort | undefined;
  /** Where a subscriber re-registers online (PUBLIC_URL/reregister). */
  reregisterLink: string;
  storage: EvidenceStorage;
  envelope: Envelope;
  now: () => number;
}

/** What a case keeps sealed: the reporter's words, the numbers, the screenshots. */
const detailsSchema = z.object({
  link: z.string().optional(),
  description: z.string(),
  contact: z.string().optional(),
  numbers: z.array(z.string()),
  screenshots: z.array(z.string()),
});
type Details = z.infer<typeof detailsSchema>;

const HOUR_MS = 3_600_000;
/** Days a holder put through re-verification has to re-register, as the notice says. */
const REVERIFY_DAYS = 15;
/** Tries at the provisioning system for a suspension asked from a case. */
const SUSPEND_ATTEMPTS = 3;
/** Crockford's base32 without I, L, O, U: a reference read aloud on the phone is not misheard. */
const REFERENCE_LETTERS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const masked = (msisdn: string): string => `${msisdn.slice(0, 3)}****${msisdn.slice(-4)}`;

/**
 * Reports from the public become cases (用户举报—企业核查—监管处置): filed with a reference the reporter
 * follows; worked in the console to a deadline, with notes, referrals to the police or 12321, and
 * the measures a case allows (a number suspended, its holder checked again, an agent suspended or
 * blacklisted). Everything done is on the case, sealed, with who did it.
 */
export class CaseService {
  readonly #d: CaseDeps;

  constructor(deps: CaseDeps) {
    this.#d = deps;
  }

  /** A shop or a fraud number reported; screenshots (a shop's) are kept as evidence is, sealed. */
  async report(report: PublicReport, screenshots: readonly Buffer[]): Promise<FiledReport> {
    const accepted = await Promise.all(screenshots.map((file) => acceptScreenshot(file)));
    const objects: string[] = [];
    for (const image of accepted) objects.push(await this.#d.storage.put(image.jpeg));
    const numbers = report.kind === 'fraud_number' ? [report.number] : [];
    return this.#file(report.kind, {
      ...(report.kind === 'unauthorised_shop' ? { link: report.link } : {}),
      description: report.description,
      ...(report.contact ? { contact: report.contact } : {}),
      numbers,
      screenshots: objects,
    }, null, await this.#channelOf(numbers));
  }

  /** The identity check a reporter goes through before seeing the numbers registered to them. */
  startIdentityCheck(): Promise<CreatedOrder> {
    return this.#d.orders.createIdentityCheck();
  }

  /** The numbers registered to the identity an approved check proved (as 一证通查 lists them). */
  async registeredNumbers(order: OrderRow): Promise<RegisteredNumber[]> {
    return (await this.#linesOf(order)).map((line, ref) => ({ ref, masked: masked(line.msisdn), channel: line.channel, ...(line.since ? { since: isoFromMs(line.since) } : {}) }));
  }

  /** "Opened in my name": the numbers of the list the reporter did not open, one case per check. */
  async openedInMyName(order: OrderRow, request: OpenedInMyName): Promise<FiledReport> {
    const lines = await this.#linesOf(order);
    if (await this.#d.db.byOrder(order.id)) throw new AppError('report_already_filed', 'a report was filed from this identity check already', 409);
    const numbers = [...new Set(request.numbers)].map((ref) => lines[ref]?.msisdn);
    if (numbers.some((n) => n === undefined)) throw new AppError('validation_failed', 'a number chosen is not in the list of numbers registered to you', 400);
    const chosen = numbers as string[];
    return this.#file('opened_in_my_name', {
      description: request.description,
      ...(request.contact ? { contact: request.contact } : {}),
      numbers: chosen,
      screenshots: [],
    }, order.id, await this.#channelOf(chosen));
  }

  /** Where a report is, for whoever holds its reference. */
  async status(reference: string): Promise<ReportStatus> {
    const row = await this.#d.db.byReference(reference);
    if (!row) throw new AppError('not_found', 'no report has this reference', 404);
    return {
      reference: row.reference, kind: row.kind, state: row.state, filedAt: isoFromMs(row.filed_at), dueAt: isoFromMs(row.due_at),
      ...(row.outcome ? { outcome: row.outcome } : {}),
    };
  }

  async list(state: 'open' | 'closed'): Promise<CaseSummary[]> {
    return (await this.#d.db.list(state)).map((row) => this.#summary(row));
  }

  async detail(id: string): Promise<CaseDetail> {
    const row = await this.#require(id);
    const details = this.#details(row);
    const numbers = await Promise.all(details.numbers.map(async (msisdn) => {
      const [registration] = await this.#d.registrations.find('msisdn', msisdn);
      const agent = await this.#d.registrations.channel(registration?.channel_id ?? null);
      const line = await this.#d.subscribers.subscriber(msisdn);
      const service = line?.service ?? (registration ? (registration.service_ended_at ? 'stopped' : 'active') : undefined);
      return { msisdn, ...(agent ? { agentNumber: agent.agentNumber } : {}), ...(service ? { service } : {}) };
    }));
    const events = (await this.#d.db.events(id)).map((e): CaseEvent => ({
      at: isoFromMs(e.at), actor: e.actor, kind: e.kind as CaseEvent['kind'],
      detail: z.record(z.string(), z.string()).parse(this.#d.envelope.openJson(e.detail, sealedAs.caseEvent(id))),
    }));
    return {
      ...this.#summary(row),
      ...(details.link ? { link: details.link } : {}),
      description: details.description,
      ...(details.contact ? { contact: details.contact } : {}),
      numbers,
      screenshots: details.screenshots.length,
      ...(row.order_id ? { identityCheck: row.order_id } : {}),
      events,
    };
  }

  /** One of a shop report's screenshots. */
  async screenshot(id: string, index: number): Promise<Buffer> {
    const objectId = this.#details(await this.#require(id)).screenshots[index];
    if (!objectId) throw new AppError('not_found', 'no such screenshot', 404);
    return this.#d.storage.get(objectId);
  }

  /** Does what a person chose on an open case, and records it there. */
  async act(id: string, action: CaseAction, actor: string): Promise<CaseDetail> {
    const row = await this.#require(id);
    if (row.state !== 'open') throw new AppError('case_closed', 'this case is closed', 409);
    const numbers = this.#details(row).numbers;
    const inCase = (msisdn: string): void => {
      if (!numbers.includes(msisdn)) throw new AppError('number_not_in_case', 'this number is not part of this case', 409);
    };
    let event: [CaseEvent['kind'], Record<string, string>];
    let change: Partial<Pick<CaseRow, 'assignee' | 'state' | 'outcome' | 'closed_at'>> = {};
    switch (action.action) {
      case 'assign':
        if (!await this.#d.staffExists(action.to)) throw new AppError('validation_failed', 'no active staff account has this username', 400);
        event = ['assigned', { to: action.to }];
        change = { assignee: action.to };
        break;
      case 'note':
        event = ['note', { text: action.text }];
        break;
      case 'referral':
        event = ['referral', { authority: action.authority, reference: action.reference }];
        break;
      case 'suspend_number':
        inCase(action.msisdn);
        event = ['number_suspended', { msisdn: action.msisdn, reason: action.reason, authority: action.authority, status: await this.#suspend(id, action.msisdn, action.reason) }];
        break;
      case 'reverify':
        inCase(action.msisdn);
        event = ['reverification', { msisdn: action.msisdn, reason: action.reason, notice: await this.#reverify(action.msisdn) }];
        break;
      case 'agent': {
        const agent = await this.#d.agents.byNumber(action.agentNumber);
        if (!agent) throw new AppError('channel_unknown', 'no agent has this number', 404);
        await this.#d.agents.update(agent.id, { status: action.status, reason: `case ${row.reference}: ${action.reason}`, evidence: action.evidence }, actor);
        event = [action.status === 'blacklisted' ? 'agent_blacklisted' : 'agent_suspended', { agentNumber: action.agentNumber, reason: action.reason, evidence: action.evidence.join(', ') }];
        break;
      }
      case 'close':
        event = ['closed', { outcome: action.outcome, summary: action.summary }];
        change = { state: 'closed', outcome: action.outcome, closed_at: this.#d.now() };
        break;
    }
    if (!await this.#d.db.record(this.#event(id, actor, ...event), change)) throw new AppError('case_closed', 'this case is closed', 409);
    return this.detail(id);
  }

  /**
   * Closed cases whose retention ended (closed before `before`): screenshots deleted, then what the
   * reporter said, the numbers and every note emptied. The reference, kind, dates and outcome stay.
   */
  async purgeClosed(before: number, limit = 100): Promise<number> {
    const due = await this.#d.db.closedDue(before, limit);
    for (const row of due) {
      for (const objectId of this.#details(row).screenshots) await this.#d.storage.delete(objectId);
      const empty: Details = { description: '', numbers: [], screenshots: [] };
      await this.#d.db.empty(row.id, this.#d.envelope.sealJson(empty, sealedAs.caseDetails(row.id)), this.#d.envelope.sealJson({}, sealedAs.caseEvent(row.id)), this.#d.now());
    }
    return due.length;
  }

  async #file(kind: ReportKind, details: Details, orderId: string | null, channelId: string | null): Promise<FiledReport> {
    const id = randomUUID();
    const filedAt = this.#d.now();
    const row: CaseRow = {
      id, reference: reference(), kind, state: 'open', filed_at: filedAt, due_at: filedAt + CASE_DEADLINE_HOURS[kind] * HOUR_MS,
      assignee: null, outcome: null, closed_at: null, details: this.#d.envelope.sealJson(details, sealedAs.caseDetails(id)), order_id: orderId, channel_id: channelId, purged_at: null,
    };
    await this.#d.db.insert(row, this.#event(id, orderId ? 'reporter (identity checked)' : 'reporter', 'filed', { kind }));
    return { reference: row.reference, dueAt: isoFromMs(row.due_at) };
  }

  #event(caseId: string, actor: string, kind: CaseEvent['kind'], detail: Record<string, string>): CaseEventRow {
    return { case_id: caseId, at: this.#d.now(), actor, kind, detail: this.#d.envelope.sealJson(detail, sealedAs.caseEvent(caseId)) };
  }

  /** The numbers in service under the identity an approved identity check proved: sold here, or known to billing. */
  async #linesOf(order: OrderRow): Promise<{ msisdn: string; channel: string; since?: number }[]> {
    if (order.delivery_path !== 'identity_check') throw new AppError('not_found', 'no such identity check', 404);
    if (order.state !== 'approved' || !order.holder_key) throw new AppError('identity_not_confirmed', 'the identity check has not passed', 409);
    const lines = new Map<string, { msisdn: string; channel: string; since?: number }>();
    for (const row of await this.#d.registrations.find('holder_key', order.holder_key)) {
      if (row.service_ended_at !== null || lines.has(row.msisdn)) continue;
      const agent = await this.#d.registrations.channel(row.channel_id);
      lines.set(row.msisdn, { msisdn: row.msisdn, channel: agent?.name ?? 'online', since: Number(row.activated_at) });
    }
    for (const line of await this.#d.subscribers.linesOf(order.holder_key)) {
      if (!lines.has(line.msisdn)) lines.set(line.msisdn, { msisdn: line.msisdn, channel: line.channel });
    }
    return [...lines.values()].sort((a, b) => a.msisdn.localeCompare(b.msisdn));
  }

  /** The agent the first of these numbers was sold through. */
  async #channelOf(numbers: readonly string[]): Promise<string | null> {
    for (const msisdn of numbers) {
      const [registration] = await this.#d.registrations.find('msisdn', msisdn);
      if (registration?.channel_id) return registration.channel_id;
    }
    return null;
  }

  /** The line suspended through the provisioning system (emergency calls kept); what the system answered. */
  async #suspend(caseId: string, msisdn: string, reason: string): Promise<string> {
    const line = await this.#lineOf(msisdn);
    const request = { iccid: line.iccid, msisdn, idempotencyKey: `case:${caseId}:suspend:${msisdn}`, reason: `case: ${reason}`, keepEmergencyCalls: true };
    try {
      // A busy or slow answer is asked again under the same key (it changes nothing twice) before the person is told.
      let answer: Awaited<ReturnType<ProvisioningPort['suspend']>> | undefined;
      for (let attempt = 1; !answer; attempt += 1) {
        answer = await this.#d.provisioning.suspend(request).catch((error: unknown) => {
          if (attempt < SUSPEND_ATTEMPTS && error instanceof ProvisioningError && error.retryable) return undefined;
          throw error;
        });
      }
      if (line.subscriber) await this.#d.subscribers.setSubscriber(msisdn, { service: 'suspended' }, this.#d.now());
      return answer.status;
    } catch (error) {
      if (error instanceof ProvisioningError && error.retryable) throw new AppError('provisioning_unavailable', 'the provisioning system did not answer; try again', 503, { cause: error });
      if (error instanceof ProvisioningError) throw new AppError('number_not_in_service', `the provisioning system refused: ${error.code}`, 409, { cause: error });
      throw error;
    }
  }

  /**
   * The number's holder is asked to prove who they are again: its registration is marked as
   * suspected false, which the online re-registration (补登记) accepts and a recheck campaign takes
   * up, and the number is told by text where and by when. What the SMS service answered.
   */
  async #reverify(msisdn: string): Promise<string> {
    const line = await this.#lineOf(msisdn);
    const now = this.#d.now();
    if (line.subscriber) await this.#d.subscribers.setSubscriber(msisdn, { registration: 'suspected_false' }, now);
    else {
      await this.#d.subscribers.upsertSubscribers([{
        msisdn, iccid: line.iccid, registration: 'suspected_false', channel: 'online', holder_key: line.holderKey, service: 'active', imported_at: now, updated_at: now,
      }]);
    }
    if (!this.#d.notifier) return 'notices are off';
    const deadline = NOTICE_DATE.format(now + REVERIFY_DAYS * 24 * HOUR_MS);
    return this.#d.notifier.send({ to: msisdn, template: 'reregistration_notice', params: { tail: msisdn.slice(-4), deadline, stop: '', link: this.#d.reregisterLink } })
      .then((sent) => `sent ${sent.messageId}`, (error: unknown) => `not sent (${error instanceof Error ? error.message : 'error'}): tell the holder another way`);
  }

  async #lineOf(msisdn: string): Promise<{ iccid: string; holderKey: string | null; subscriber: boolean }> {
    const subscriber = await this.#d.subscribers.subscriber(msisdn);
    if (subscriber && subscriber.service !== 'stopped') return { iccid: subscriber.iccid, holderKey: subscriber.holder_key, subscriber: true };
    const registration = (await this.#d.registrations.find('msisdn', msisdn)).find((r) => r.service_ended_at === null);
    if (registration) return { iccid: registration.iccid, holderKey: registration.holder_key, subscriber: false };
    throw new AppError('number_not_in_service', 'this number is not in service with us', 409);
  }

  #details(row: CaseRow): Details {
    return detailsSchema.parse(this.#d.envelope.openJson(row.details, sealedAs.caseDetails(row.id)));
  }

  #summary(row: CaseRow): CaseSummary {
    return {
      id: row.id, reference: row.reference, kind: row.kind, state: row.state, filedAt: isoFromMs(row.filed_at), dueAt: isoFromMs(row.due_at),
      overdue: row.state === 'open' && Number(row.due_at) < this.#d.now(),
      ...(row.assignee ? { assignee: row.assignee } : {}),
      ...(row.outcome ? { outcome: row.outcome } : {}),
    };
  }

  async #require(id: string): Promise<CaseRow> {
    const row = await this.#d.db.byId(id);
    if (!row) throw new AppError('not_found', 'no such case', 404);
    return row;
  }
}

function reference(): string {
  const part = (): string => Array.from({ length: 5 }, () => REFERENCE_LETTERS[randomInt(REFERENCE_LETTERS.length)]).join('');
  return `JB-${part()}-${part()}`;
}
