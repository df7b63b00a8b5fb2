import type { Transaction } from 'kysely';
import type { RegistrationEvidence, VerificationMethod } from '@shared';
import type { Queries } from '../providers/db/database.js';
import type { OrderRow } from '../providers/db/orders.db.js';
import type { Schema } from '../providers/db/schema.js';
import { Tables } from '../providers/db/tables.js';

export interface RegistrationRow {
  id: string;
  order_id: string;
  msisdn: string;
  iccid: string;
  /** Sealed to the record (null once the record's retention ended). */
  identity: Buffer | null;
  /** The five-card key: a keyed hash of the ID number. */
  holder_key: string | null;
  method: VerificationMethod;
  /** JSON: the photos kept, [{kind, objectId}]. */
  evidence: string;
  authority_source: string;
  authority_transaction: string | null;
  channel_id: string | null;
  courier_id: string | null;
  activation_attempt_id: string | null;
  ordered_at: number;
  approved_at: number | null;
  shipped_at: number | null;
  verified_at: number | null;
  activated_at: number;
  /** When the number's service ended (the record is kept for its retention after that). */
  service_ended_at: number | null;
  purged_at: number | null;
}

/** Everything about an order a registration record is made from, read in the activation's transaction. */
export interface ActivatedOrder {
  order: OrderRow;
  evidence: { kind: RegistrationEvidence; objectId: string }[];
  transitions: { to: string; at: number }[];
  handover: { courierId: string; at: number } | undefined;
  attempt: { id: string; at: number } | undefined;
}

/** Registration records: one per activated number, found by number, ICCID or five-card key. */
export class RegistrationsDb extends Tables {
  /** What an activated order's record is made of, as it stands in the transaction `trx`. */
  async activated(trx: Transaction<Schema>, orderId: string): Promise<ActivatedOrder | undefined> {
    const order = await trx.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
    if (!order) return undefined;
    const evidence: ActivatedOrder['evidence'] = (await trx.selectFrom('evidence').select(['kind', 'object_id']).where('order_id', '=', orderId).execute())
      .map((e) => ({ kind: e.kind, objectId: e.object_id }));
    const live = (purpose: string) => trx.selectFrom('liveness_challenges').select('object_id')
      .where('order_id', '=', orderId).where('purpose', '=', purpose).where('outcome', 'in', ['passed', 'review']).where('object_id', 'is not', null)
      .orderBy('answered_at', 'desc').limit(1).executeTakeFirst();
    const purchaseLive = (await live('purchase'))?.object_id;
    if (purchaseLive) evidence.push({ kind: 'live', objectId: purchaseLive });

    const handover = await trx.selectFrom('handovers').selectAll().where('order_id', '=', orderId).where('outcome', '=', 'handed_over').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (handover?.card_object_id) evidence.push({ kind: 'door_card', objectId: handover.card_object_id });
    if (handover?.face_object_id) evidence.push({ kind: 'door_face', objectId: handover.face_object_id });
    const attempt = await trx.selectFrom('activation_attempts').selectAll().where('order_id', '=', orderId).where('outcome', '=', 'activated').limit(1).executeTakeFirst();
    if (attempt?.card_object_id) evidence.push({ kind: 'activation_card', objectId: attempt.card_object_id });
    const attemptLive = attempt ? (await live(`activation:${attempt.id}`))?.object_id : undefined;
    if (attemptLive) evidence.push({ kind: 'activation_live', objectId: attemptLive });

    const transitions = (await trx.selectFrom('transitions').select(['to_state', 'at']).where('order_id', '=', orderId).orderBy('id').execute())
      .map((t) => ({ to: t.to_state, at: Number(t.at) }));
    return {
      order,
      evidence,
      transitions,
      handover: handover ? { courierId: handover.courier_id, at: Number(handover.at) } : undefined,
      attempt: attempt ? { id: attempt.id, at: Number(attempt.finished_at ?? attempt.started_at) } : undefined,
    };
  }

  /** Records a registration; an order has one (a second activation of it records nothing). */
  async insert(trx: Queries, row: RegistrationRow): Promise<void> {
    await trx.insertInto('registrations').values(row).onConflict((oc) => oc.column('order_id').doNothing()).execute();
  }

  /** Records by number (newest first: a number can be reassigned once its service ended), ICCID or five-card key. */
  async find(by: 'msisdn' | 'iccid' | 'holder_key', value: string): Promise<RegistrationRow[]> {
    return this.db.selectFrom('registrations').selectAll().where(by, '=', value).where('purged_at', 'is', null).orderBy('activated_at', 'desc').limit(20).execute();
  }

  async byId(id: string): Promise<RegistrationRow | undefined> {
    return this.db.selectFrom('registrations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byOrder(orderId: string): Promise<RegistrationRow | undefined> {
    return this.db.selectFrom('registrations').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  async courier(id: string | null): Promise<{ id: string; company: string; name: string } | null> {
    if (!id) return null;
    return (await this.db.selectFrom('couriers').select(['id', 'company', 'name']).where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async channel(id: string | null): Promise<{ agentNumber: string; name: string } | null> {
    if (!id) return null;
    const row = await this.db.selectFrom('channels').select(['agent_number', 'name']).where('id', '=', id).executeTakeFirst();
    return row ? { agentNumber: row.agent_number, name: row.name } : null;
  }

  async shipment(orderId: string): Promise<{ carrier: string; trackingNumber: string; status: string } | null> {
    const row = await this.db.selectFrom('shipments').select(['carrier', 'tracking_number', 'status']).where('order_id', '=', orderId).executeTakeFirst();
    return row ? { carrier: row.carrier, trackingNumber: row.tracking_number, status: row.status } : null;
  }

  async legalHold(orderId: string): Promise<boolean> {
    return (await this.db.selectFrom('legal_holds').select('order_id').where('order_id', '=', orderId).executeTakeFirst()) !== undefined;
  }

  /** The number's service ended: the record's retention starts counting. */
  async endService(id: string, at: number): Promise<boolean> {
    const result = await this.db.updateTable('registrations').set({ service_ended_at: at }).where('id', '=', id).where('service_ended_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
