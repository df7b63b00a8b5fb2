import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import {
  type DecisionReason, type OrderPath, type RegistrationEvidence, type VerificationMethod, type RegistrationRecord, REGISTRATION_EVIDENCE, checkResultSchema, readIdentitySchema,
} from '@shared';
import type { AccessAudit } from '../audit/accessAudit.js';
import type { Envelope } from '../crypto/envelope.js';
import { AppError } from '../errors.js';
import type { OrdersDb } from '../providers/db/orders.db.js';
import type { Schema } from '../providers/db/schema.js';
import { sealedAs } from '../providers/db/sealed.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';
import { holderKey } from '../services/orderService.js';
import type { StaffMember } from '../staff/staffService.js';
import type { RegistrationRow, RegistrationsDb } from './registrations.db.js';

interface RegistrationServiceDeps {
  db: RegistrationsDb;
  orders: OrdersDb;
  storage: EvidenceStorage;
  envelope: Envelope;
  audit: AccessAudit;
  now: () => number;
}

/** How a registration is looked up: the number, the ICCID, or the ID number (as its keyed hash). */
export interface Lookup {
  by: 'msisdn' | 'iccid' | 'idNumber';
  value: string;
  reason: string;
}

/** How the holder was checked, by the order's path. */
const METHODS: Record<Exclude<OrderPath, 'identity_check'>, VerificationMethod> = { courier_verified: 'door_check', unactivated: 'online_activation', reregistration: 'online_reregistration' };

const evidenceList = z.array(z.object({ kind: z.enum(REGISTRATION_EVIDENCE), objectId: z.string() }));
const storedDecision = z.object({ reasons: z.array(z.string()) });
const checksOf = (json: string | null) => (json ? z.array(checkResultSchema).parse(JSON.parse(json)) : []);

/**
 * The registration record (电话用户真实身份信息登记): made once, in the same transaction as the
 * activation, from the order, its evidence and the check that let the card be handed over or
 * activated. Support and auditors find it by number, ICCID or ID number, always with a reason, and
 * every look-up and every photo opened is in the access audit.
 */
export class RegistrationService {
  readonly #d: RegistrationServiceDeps;

  constructor(deps: RegistrationServiceDeps) {
    this.#d = deps;
  }

  /** Makes the order's record inside the activation's transaction: the activation and its record stand or fall together. */
  async register(trx: Transaction<Schema>, orderId: string, iccid: string, now: number): Promise<void> {
    const made = await this.#d.db.activated(trx, orderId);
    if (!made) throw new Error('an activation without its order');
    const { order } = made;
    if (!order.identity || !order.holder_key) throw new Error('an activated order without its identity');
    if (order.delivery_path === 'identity_check') throw new Error('an identity check registers no number');
    const id = randomUUID();
    const identity = this.#d.envelope.openJson(order.identity, sealedAs.identity(order.id));
    const authority = checksOf(order.checks).find((c) => c.check === 'authority');
    const firstAt = (...states: string[]) => made.transitions.find((t) => states.includes(t.to))?.at ?? null;
    await this.#d.db.insert(trx, {
      id,
      order_id: order.id,
      msisdn: order.msisdn,
      iccid,
      identity: this.#d.envelope.sealJson(identity, sealedAs.registrationIdentity(id)),
      holder_key: order.holder_key,
      method: METHODS[order.delivery_path],
      evidence: JSON.stringify(made.evidence),
      authority_source: authority?.evidence.find((e) => e.startsWith('authority:'))?.slice('authority:'.length) ?? 'unknown',
      authority_transaction: authority?.transactionId ?? null,
      channel_id: order.channel_id,
      courier_id: made.handover?.courierId ?? null,
      activation_attempt_id: made.attempt?.id ?? null,
      ordered_at: order.created_at,
      approved_at: firstAt('approved'),
      shipped_at: firstAt('shipped', 'shipped_unactivated'),
      // A re-registration's holder was checked online, before its approval.
      verified_at: made.handover?.at ?? made.attempt?.at ?? (order.delivery_path === 'reregistration' ? firstAt('approved') : null),
      activated_at: now,
      service_ended_at: null,
      purged_at: null,
    });
  }

  /** The records a look-up finds, whole; each one found (or the look-up that found none) is in the access audit with its reason. */
  async lookup(lookup: Lookup, member: StaffMember): Promise<RegistrationRecord[]> {
    const rows = lookup.by === 'idNumber'
      ? await this.#d.db.find('holder_key', holderKey(this.#d.envelope, lookup.value))
      : await this.#d.db.find(lookup.by, lookup.value);
    if (rows.length === 0) await this.#d.audit.record({ staff: member.username, action: 'registration.lookup', subject: `none:${lookup.by}`, reason: lookup.reason });
    const records: RegistrationRecord[] = [];
    for (const row of rows) {
      await this.#d.audit.record({ staff: member.username, action: 'registration.lookup', subject: row.order_id, reason: lookup.reason });
      records.push(await this.#record(row));
    }
    return records;
  }

  async #record(row: RegistrationRow): Promise<RegistrationRecord> {
    const order = await this.#d.orders.getOrder(row.order_id);
    if (!order || !row.identity || !row.holder_key) throw new AppError('not_found', 'this registration\'s retention has ended', 404);
    const identity = readIdentitySchema.partial().parse(this.#d.envelope.openJson(row.identity, sealedAs.registrationIdentity(row.id)));
    return {
      id: row.id,
      msisdn: row.msisdn,
      iccid: row.iccid,
      method: row.method,
      identity: { portrait: identity.portrait ?? {}, emblem: identity.emblem ?? {} },
      holderKey: row.holder_key,
      authority: { source: row.authority_source, transactionId: row.authority_transaction },
      channel: await this.#d.db.channel(row.channel_id),
      courier: await this.#d.db.courier(row.courier_id),
      activationAttempt: row.activation_attempt_id,
      evidence: evidenceList.parse(JSON.parse(row.evidence)),
      times: {
        ordered: Number(row.ordered_at), approved: num(row.approved_at), shipped: num(row.shipped_at), verified: num(row.verified_at),
        activated: Number(row.activated_at), serviceEnded: num(row.service_ended_at),
      },
      order: {
        id: order.id,
        state: order.state,
        deliveryPath: order.delivery_path,
        reasons: order.decision ? storedDecision.parse(JSON.parse(order.decision)).reasons as DecisionReason[] : [],
        checks: checksOf(order.checks),
        transitions: (await this.#d.orders.transitionsOf(order.id)).map((t) => ({ from: t.from_state, to: t.to_state, at: Number(t.at), reason: t.reason, actor: t.actor })),
      },
      shipment: await this.#d.db.shipment(order.id),
      legalHold: await this.#d.db.legalHold(order.id),
    };
  }

  /** One photo of a record, for the screen or the printed record; the opening is in the access audit. */
  async evidence(registrationId: string, kind: RegistrationEvidence, member: StaffMember): Promise<Buffer> {
    const row = await this.#d.db.byId(registrationId);
    const objectId = row && !row.purged_at ? evidenceList.parse(JSON.parse(row.evidence)).find((e) => e.kind === kind)?.objectId : undefined;
    if (!row || !objectId) throw new AppError('not_found', `this registration keeps no ${kind} photo`, 404);
    await this.#d.audit.record({ staff: member.username, action: 'evidence.view', subject: row.order_id, reason: `registration: ${kind}` });
    return this.#d.storage.get(objectId);
  }

  /** The number's service ended (cancelled, or reassigned): from now, the record's retention counts down. */
  async endService(registrationId: string, member: StaffMember, reason: string): Promise<void> {
    const row = await this.#d.db.byId(registrationId);
    if (!row) throw new AppError('not_found', 'no such registration', 404);
    if (!await this.#d.db.endService(registrationId, this.#d.now())) throw new AppError('illegal_transition', 'this number\'s service has already ended', 409);
    await this.#d.audit.record({ staff: member.username, action: 'registration.service_ended', subject: row.order_id, reason });
  }
}

const num = (value: number | null): number | null => (value === null ? null : Number(value));
