import { type HeldOrder, type LegalHold, readIdentitySchema, isoFromMs } from '@shared';
import type { AccessAudit } from '../audit/accessAudit.js';
import type { Envelope } from '../crypto/envelope.js';
import { AppError } from '../errors.js';
import type { OrderRow, OrdersDb } from '../providers/db/orders.db.js';
import { sealedAs } from '../providers/db/sealed.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';
import { holderKey } from '../services/orderService.js';
import type { StaffMember } from '../staff/staffService.js';
import { CLOSED_STATES, type RetentionDb } from './retention.db.js';

export interface RetentionSettings {
  closedDays: number;
  failedAttemptDays: number;
  templateDays: number;
  registrationDays: number;
}

interface RetentionServiceDeps {
  db: RetentionDb;
  orders: OrdersDb;
  storage: EvidenceStorage;
  envelope: Envelope;
  audit: AccessAudit;
  settings: RetentionSettings;
  now: () => number;
  log: (level: 'error' | 'info', message: string) => void;
}

export interface SweepReport {
  orders: number;
  attempts: number;
  templates: number;
  registrations: number;
}

const DAY_MS = 86_400_000;
/** Orders emptied per sweep and kind: a backlog goes over several sweeps, none holds the database long. */
const BATCH = 200;
/** What a buyer closed themselves, or that never got past a draft, holds nothing worth keeping. */
const AT_ONCE: OrderState[] = ['withdrawn', 'expired'];
type OrderState = OrderRow['state'];

/**
 * The retention schedule, carried out: what an order, an activation attempt or a registration no
 * longer needs is deleted, files first and then the rows that point at them, each step safe to
 * repeat, so that a sweep stopped half-way is finished by the next. A legal hold stops all of it for
 * its order. Buyers' requests to see or delete their data go through here too.
 */
export class RetentionService {
  readonly #d: RetentionServiceDeps;

  constructor(deps: RetentionServiceDeps) {
    this.#d = deps;
  }

  #before(days: number): number {
    return this.#d.now() - days * DAY_MS;
  }

  async sweep(): Promise<SweepReport> {
    const { settings, db } = this.#d;
    const report: SweepReport = { orders: 0, attempts: 0, templates: 0, registrations: 0 };
    const closed = [
      ...await db.closedDue(this.#d.now() + 1, AT_ONCE, BATCH),
      ...await db.closedDue(this.#before(settings.closedDays), CLOSED_STATES, BATCH),
      ...await db.identityChecksDue(this.#before(settings.closedDays), BATCH),
    ];
    for (const orderId of new Set(closed)) {
      await this.purgeOrder(orderId);
      report.orders += 1;
    }
    for (const attempt of await db.failedAttemptsDue(this.#before(settings.failedAttemptDays), BATCH)) {
      for (const id of [attempt.card_object_id, ...await db.attemptFrames(attempt.id)]) if (id) await this.#d.storage.delete(id);
      await db.emptyAttempt(attempt.id);
      report.attempts += 1;
    }
    for (const orderId of await db.templatesDue(this.#before(settings.templateDays), BATCH)) {
      await db.dropTemplates(orderId);
      report.templates += 1;
    }
    for (const registration of await db.registrationsDue(this.#before(settings.registrationDays), BATCH)) {
      await this.purgeOrder(registration.order_id);
      report.registrations += 1;
    }
    const total = report.orders + report.attempts + report.templates + report.registrations;
    if (total > 0) this.#d.log('info', `retention: ${report.orders} order(s) emptied, ${report.attempts} failed attempt(s), ${report.templates} order(s)' templates, ${report.registrations} registration(s)`);
    return report;
  }

  /** Deletes everything an order holds: its files first, then the rows (run again, it finishes what a stop left). */
  async purgeOrder(orderId: string): Promise<void> {
    for (const objectId of await this.#d.db.objectsOf(orderId)) await this.#d.storage.delete(objectId);
    await this.#d.db.emptyOrder(orderId, this.#d.now());
  }

  /** When an order's data goes, and whether it may go now at a buyer's request. */
  async #held(row: OrderRow): Promise<HeldOrder> {
    const [objects, registration, hold] = await Promise.all([this.#d.db.objectsOf(row.id), this.#d.db.registered(row.id), this.#d.db.hold(row.id)]);
    const closed = CLOSED_STATES.includes(row.state);
    const keptBecause = hold ? 'legal_hold' as const : registration ? 'registration' as const : closed ? null : 'in_progress' as const;
    const emptied = row.purged_at !== null;
    let deletesAt: number | null = null;
    if (!emptied && closed) deletesAt = AT_ONCE.includes(row.state) ? row.updated_at : row.updated_at + this.#d.settings.closedDays * DAY_MS;
    if (!emptied && registration?.service_ended_at) deletesAt = Number(registration.service_ended_at) + this.#d.settings.registrationDays * DAY_MS;
    return {
      orderId: row.id,
      state: row.state,
      msisdn: row.msisdn,
      createdAt: Number(row.created_at),
      photos: objects.length,
      identity: row.identity !== null && !emptied,
      registered: registration !== undefined,
      legalHold: hold !== undefined,
      deletesAt: hold ? null : deletesAt,
      deletable: keptBecause === null && !emptied,
      keptBecause,
    };
  }

  /** A buyer's orders, found by number or ID number for their request; the search is in the access audit. */
  async findOrders(by: 'msisdn' | 'idNumber', value: string, reason: string, member: StaffMember): Promise<HeldOrder[]> {
    const rows = by === 'idNumber' ? await this.#d.db.ordersBy('holder_key', holderKey(this.#d.envelope, value)) : await this.#d.db.ordersBy('msisdn', value);
    await this.#d.audit.record({ staff: member.username, action: 'request.find', subject: rows.length === 1 ? rows[0]?.id ?? '' : `${by}:${rows.length} order(s)`, reason });
    return Promise.all(rows.map((row) => this.#held(row)));
  }

  async #order(orderId: string): Promise<OrderRow> {
    const row = await this.#d.db.order(orderId);
    if (!row) throw new AppError('not_found', 'no such order', 404);
    return row;
  }

  /** A buyer's access request (PIPL art. 45): everything held of the order, as it is held; audited. */
  async access(orderId: string, reason: string, member: StaffMember): Promise<Record<string, unknown>> {
    const row = await this.#order(orderId);
    await this.#d.audit.record({ staff: member.username, action: 'request.access', subject: orderId, reason });
    const identity = row.identity && row.purged_at === null
      ? readIdentitySchema.partial().parse(this.#d.envelope.openJson(row.identity, sealedAs.identity(row.id)))
      : null;
    return {
      held: await this.#held(row),
      identity,
      consent: row.consent_at === null ? null : { at: isoFromMs(row.consent_at), version: row.consent_version },
      transitions: (await this.#d.orders.transitionsOf(orderId)).map((t) => ({ to: t.to_state, at: isoFromMs(t.at), reason: t.reason })),
      decision: row.decision ? JSON.parse(row.decision) as unknown : null,
      retention: this.#d.settings,
    };
  }

  /**
   * A buyer's deletion request (PIPL art. 47): granted when nothing requires the data kept; a
   * registration (kept by law while the number is in service and after), a legal hold or an order in
   * progress say so instead. Audited either way.
   */
  async erase(orderId: string, reason: string, member: StaffMember): Promise<HeldOrder> {
    const row = await this.#order(orderId);
    const held = await this.#held(row);
    await this.#d.audit.record({ staff: member.username, action: held.deletable ? 'request.deletion' : 'request.deletion_refused', subject: orderId, reason });
    if (held.keptBecause === 'legal_hold') throw new AppError('legal_hold', 'this order is under a legal hold: nothing of it can be deleted until the hold is lifted', 409);
    if (held.keptBecause === 'registration') throw new AppError('retention_required', 'this order is the registration of a number: it is kept while the number is in service and for its retention period after', 409);
    if (held.keptBecause === 'in_progress') throw new AppError('retention_required', 'this order is still in progress: cancel it first, or wait until it is closed', 409);
    if (!held.deletable) return held;
    await this.purgeOrder(orderId);
    return this.#held(await this.#order(orderId));
  }

  async holds(): Promise<LegalHold[]> {
    return (await this.#d.db.holds()).map((h) => ({
      orderId: h.order_id, staff: h.staff, at: Number(h.at), reason: this.#d.envelope.openJson(h.reason, sealedAs.legalHold(h.order_id)) as string,
    }));
  }

  /** An administrator stops every deletion of an order (an investigation, a court's request). */
  async setHold(orderId: string, reason: string, member: StaffMember): Promise<void> {
    await this.#order(orderId);
    const set = await this.#d.db.setHold({ order_id: orderId, staff: member.username, at: this.#d.now(), reason: this.#d.envelope.sealJson(reason, sealedAs.legalHold(orderId)) });
    if (!set) throw new AppError('legal_hold', 'this order is under a legal hold already', 409);
    await this.#d.audit.record({ staff: member.username, action: 'legal_hold.set', subject: orderId, reason });
  }

  async liftHold(orderId: string, reason: string, member: StaffMember): Promise<void> {
    if (!await this.#d.db.liftHold(orderId)) throw new AppError('not_found', 'this order has no legal hold', 404);
    await this.#d.audit.record({ staff: member.username, action: 'legal_hold.lift', subject: orderId, reason });
  }
}
