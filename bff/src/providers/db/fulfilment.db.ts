import type { Transaction } from 'kysely';
import { DELIVERY_PATHS, type OrderState, type ShipmentStatus } from '@shared';
import { type Database, type Queries, changed, counted } from './database.js';
import type { OrdersDb, StockOrigin } from './orders.db.js';
import type { Schema } from './schema.js';

export interface ShipmentRow {
  order_id: string;
  carrier: string;
  tracking_number: string;
  iccid: string;
  /** Sealed hand-over code (path A), shown to the buyer; null on path B. */
  handover_code: Buffer | null;
  code_failures: number;
  status: ShipmentStatus;
  created_at: number;
  updated_at: number;
  activation_failures: number;
  activation_locked_until: number | null;
}

export interface CourierRow {
  id: string;
  company: string;
  name: string;
  token_hash: string;
  created_at: number;
  disabled_at: number | null;
  /** A supervisor may confirm a refusal at the door without the buyer's hand-over code. */
  role: 'courier' | 'supervisor';
}

export interface SimCardRow {
  iccid: string;
  status: 'available' | 'packed' | 'active' | 'returned';
  order_id: string | null;
  /** Keyed digest of the activation code printed in the pack. */
  pack_code_hash: string | null;
  /** The sandbox only: the pack code sealed, to show QA what the pack would say. */
  sandbox_pack_code: Buffer | null;
  origin: StockOrigin;
}

export interface HandoverRow {
  order_id: string;
  courier_id: string;
  at: number;
  outcome: 'handed_over' | 'refused';
  /** JSON array of reason codes. */
  reasons: string;
  /** The photo of the recipient's ID card (the delivery record), encrypted. */
  card_object_id: string | null;
  face_object_id: string | null;
  /** The recipient's face against the card portrait submitted. */
  score: number | null;
  /** The recipient's face against the buyer's live check. */
  live_score: number | null;
  /** When the courier confirmed they compared the recipient with the card. */
  confirmed_at: number | null;
  /** The courier's device's clock at the hand-over, as it said (ISO 8601). */
  device_time: string | null;
  /** The supervisor who confirmed a refusal without the buyer's code. */
  supervisor_id: string | null;
}

export interface ActivationAttemptRow {
  id: string;
  order_id: string;
  token_hash: string;
  started_at: number;
  expires_at: number;
  finished_at: number | null;
  outcome: 'activated' | 'failed' | null;
  reasons: string | null;
  card_object_id: string | null;
  /** Sealed fields read from the card photographed in this attempt. */
  card_read: Buffer | null;
}

export interface ProvisioningJobRow {
  idempotency_key: string;
  order_id: string;
  operation: 'activate';
  iccid: string;
  msisdn: string;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  next_at: number;
  last_error: string | null;
  created_at: number;
  done_at: number | null;
  /** Until when a process has the job (it is sending it); another takes it after that. */
  claimed_until: number | null;
}

/** States whose order holds a card that is out of the warehouse and not yet in service. */
const SHIPPED: readonly OrderState[] = ['shipped', 'shipped_unactivated'];

/**
 * What happens after approval, in the orders' database: stock of SIM cards, shipments, couriers,
 * hand-overs, activation attempts and the provisioning outbox. Every step that changes an order's
 * state does so in one transaction with what it records.
 */
export class FulfilmentDb {
  readonly #orders: OrdersDb;
  readonly #database: Database;

  constructor(orders: OrdersDb) {
    this.#orders = orders;
    this.#database = orders.database;
  }

  get #db() {
    return this.#database.db;
  }

  /** Puts cards in stock; a card already there keeps its state. Returns how many were new. */
  async addSimCards(cards: readonly Pick<SimCardRow, 'iccid' | 'pack_code_hash' | 'sandbox_pack_code' | 'origin'>[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < cards.length; i += 500) {
      const rows = cards.slice(i, i + 500).map((card) => ({ ...card, status: 'available' as const, order_id: null }));
      added += (await this.#db.insertInto('sim_cards').values(rows).onConflict((oc) => oc.column('iccid').doNothing()).returning('iccid').execute()).length;
    }
    return added;
  }

  async simCard(iccid: string): Promise<SimCardRow | undefined> {
    return this.#db.selectFrom('sim_cards').selectAll().where('iccid', '=', iccid).executeTakeFirst();
  }

  /** Cards the sandbox made up that are still in the warehouse: not sold in production. */
  async removeSandboxSimCards(): Promise<number> {
    return changed(await this.#db.deleteFrom('sim_cards').where('origin', '=', 'sandbox').where('status', '=', 'available').executeTakeFirst());
  }

  async countSimCards(): Promise<number> {
    return counted(await this.#db.selectFrom('sim_cards').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst());
  }

  /**
   * Takes a card from stock for an order; the same order asking again gets the same card. Undefined
   * when stock is out. A card is taken by a conditional update: two processes never take the same one.
   */
  async allotSimCard(orderId: string): Promise<string | undefined> {
    return this.#database.transaction(this.#db, async (trx) => {
      await this.#database.lock(trx, `allot:${orderId}`);
      const mine = await trx.selectFrom('sim_cards').select('iccid').where('order_id', '=', orderId).executeTakeFirst();
      if (mine) return mine.iccid;
      for (;;) {
        const free = await trx.selectFrom('sim_cards').select('iccid').where('status', '=', 'available').orderBy('iccid').limit(1).executeTakeFirst();
        if (!free) return undefined;
        const taken = changed(await trx.updateTable('sim_cards').set({ status: 'packed', order_id: orderId })
          .where('iccid', '=', free.iccid).where('status', '=', 'available').executeTakeFirst()) === 1;
        if (taken) return free.iccid;
      }
    });
  }

  /** Approved orders that have no shipment yet (booking failed, or the BFF stopped in between). */
  async approvedUnshipped(): Promise<string[]> {
    return (await this.#db.selectFrom('orders as o').leftJoin('shipments as s', 's.order_id', 'o.id').select('o.id')
      .where('o.state', '=', 'approved').where('o.delivery_path', 'in', DELIVERY_PATHS).where('s.order_id', 'is', null).where('o.channel_flag', 'is', null)
      .execute()).map((r) => r.id);
  }

  /** Records a booked shipment and moves the order to its shipped state, together. */
  async recordShipment(row: Omit<ShipmentRow, 'code_failures' | 'activation_failures' | 'activation_locked_until' | 'updated_at'>, to: 'shipped' | 'shipped_unactivated'): Promise<boolean> {
    return this.#database.transaction(this.#db, async (trx) => {
      if (!await this.#orders.transition(row.order_id, 'approved', to, `booked with ${row.carrier}`, 'system', row.created_at, {}, trx)) return false;
      await trx.insertInto('shipments').values({ ...row, updated_at: row.created_at, code_failures: 0, activation_failures: 0, activation_locked_until: null }).execute();
      return true;
    });
  }

  async shipmentOf(orderId: string, q: Queries = this.#db): Promise<ShipmentRow | undefined> {
    return q.selectFrom('shipments').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  async shipmentByTracking(trackingNumber: string): Promise<ShipmentRow | undefined> {
    return this.#db.selectFrom('shipments').selectAll().where('tracking_number', '=', trackingNumber).executeTakeFirst();
  }

  async shipmentByIccid(iccid: string): Promise<ShipmentRow | undefined> {
    return this.#db.selectFrom('shipments').selectAll().where('iccid', '=', iccid).executeTakeFirst();
  }

  /** A carrier's status report, for a parcel still on its way. */
  async setShipmentStatus(orderId: string, status: 'out_for_delivery' | 'delivered', now: number): Promise<boolean> {
    return this.#database.transaction(this.#db, async (trx) => {
      const applied = changed(await trx.updateTable('shipments').set({ status, updated_at: now })
        .where('order_id', '=', orderId).where('status', 'in', ['in_transit', 'out_for_delivery', 'delivered']).executeTakeFirst()) === 1;
      if (applied) await trx.insertInto('shipment_events').values({ order_id: orderId, status, at: now }).execute();
      return applied;
    });
  }

  /** The carrier's reports on an order's parcel, oldest first. */
  async shipmentEvents(orderId: string): Promise<{ status: 'out_for_delivery' | 'delivered'; at: number }[]> {
    return this.#db.selectFrom('shipment_events').select(['status', 'at']).where('order_id', '=', orderId).orderBy('at').orderBy('id').execute();
  }

  /** A wrong hand-over code; returns how many there have been. */
  async countCodeFailure(orderId: string): Promise<number> {
    const row = await this.#db.updateTable('shipments').set((eb) => ({ code_failures: eb('code_failures', '+', 1) }))
      .where('order_id', '=', orderId).returning('code_failures').executeTakeFirst();
    return row?.code_failures ?? 0;
  }

  async addCourier(row: Omit<CourierRow, 'disabled_at'>): Promise<void> {
    await this.#db.insertInto('couriers').values({ ...row, disabled_at: null }).execute();
  }

  /** Adds a courier unless one with that id exists, and enables it (the sandbox's, on every sandbox start). */
  async ensureCourier(row: Omit<CourierRow, 'disabled_at'>): Promise<void> {
    await this.#db.insertInto('couriers').values({ ...row, disabled_at: null })
      .onConflict((oc) => oc.column('id').doUpdateSet({ disabled_at: null })).execute();
  }

  /** Disables couriers: their access codes open nothing from now on. Returns how many were enabled. */
  async disableCouriers(ids: readonly string[], now: number): Promise<number> {
    if (ids.length === 0) return 0;
    return changed(await this.#db.updateTable('couriers').set({ disabled_at: now }).where('id', 'in', ids).where('disabled_at', 'is', null).executeTakeFirst());
  }

  async couriers(): Promise<CourierRow[]> {
    return this.#db.selectFrom('couriers').selectAll().orderBy('company').orderBy('name').execute();
  }

  async courierByTokenHash(tokenHash: string): Promise<CourierRow | undefined> {
    return this.#db.selectFrom('couriers').selectAll().where('token_hash', '=', tokenHash).where('disabled_at', 'is', null).executeTakeFirst();
  }

  /**
   * The courier's verdict at the door, recorded with its consequences in one transaction: handed
   * over → the activation is queued (its idempotency key fixed now); refused → the order is returned,
   * its number goes back to the pool and its card back to stock. False if the delivery was closed already.
   */
  async recordHandover(row: HandoverRow, activationKey: string): Promise<boolean> {
    return this.#database.transaction(this.#db, async (trx) => {
      const closed = changed(await trx.updateTable('shipments').set({ status: row.outcome, updated_at: row.at })
        .where('order_id', '=', row.order_id).where('status', 'in', ['in_transit', 'out_for_delivery']).executeTakeFirst()) === 0;
      if (closed) return false;
      await trx.insertInto('handovers').values(row).execute();
      if (row.outcome === 'handed_over') {
        await this.enqueueActivation(trx, row.order_id, activationKey, row.at);
      } else {
        await this.returnOrder(row.order_id, 'shipped', `hand-over refused: ${(JSON.parse(row.reasons) as string[]).join(',')}`, `courier:${row.courier_id}`, row.at, trx);
      }
      return true;
    });
  }

  /** The parcel came back (refused at the door, or the carrier returned it): the order releases all it held. */
  async returnOrder(orderId: string, from: 'shipped' | 'shipped_unactivated', reason: string, actor: string, now: number, q: Queries = this.#db): Promise<boolean> {
    return this.#database.transaction(q, async (trx) => {
      if (!await this.#orders.transition(orderId, from, 'returned', reason, actor, now, {}, trx)) return false;
      await trx.updateTable('shipments')
        .set((eb) => ({ status: eb.case().when('status', '=', 'refused').then('refused' as const).else('returned' as const).end(), updated_at: now }))
        .where('order_id', '=', orderId).execute();
      await trx.updateTable('sim_cards').set({ status: 'returned' }).where('order_id', '=', orderId).execute();
      await this.#orders.releaseNumber(orderId, trx);
      return true;
    });
  }

  private async enqueueActivation(trx: Transaction<Schema>, orderId: string, key: string, now: number): Promise<void> {
    const order = await this.#orders.getOrder(orderId, trx);
    const shipment = await this.shipmentOf(orderId, trx);
    if (!order || !shipment) throw new Error('activation for an order without a shipment');
    await trx.insertInto('provisioning_jobs').values({
      idempotency_key: key, order_id: orderId, operation: 'activate', iccid: shipment.iccid, msisdn: order.msisdn, status: 'pending',
      attempts: 0, next_at: now, last_error: null, created_at: now, done_at: null, claimed_until: null,
    }).onConflict((oc) => oc.doNothing()).execute();
  }

  async provisioningJobOf(orderId: string): Promise<ProvisioningJobRow | undefined> {
    return this.#db.selectFrom('provisioning_jobs').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  /**
   * Takes the jobs that are due and that no process has (or whose process stopped: its claim ran
   * out), each by a conditional update, so one process at a time sends a job. The claim lasts until
   * `claimUntil`; the job's outcome ends it.
   */
  async claimDueJobs(now: number, claimUntil: number, limit = 20): Promise<ProvisioningJobRow[]> {
    const due = await this.#db.selectFrom('provisioning_jobs').selectAll()
      .where('status', '=', 'pending').where('next_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_at').limit(limit).execute();
    const mine: ProvisioningJobRow[] = [];
    for (const job of due) {
      const taken = changed(await this.#db.updateTable('provisioning_jobs').set({ claimed_until: claimUntil })
        .where('idempotency_key', '=', job.idempotency_key).where('status', '=', 'pending')
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst()) === 1;
      if (taken) mine.push({ ...job, claimed_until: claimUntil });
    }
    return mine;
  }

  /** The next try of a job, after a failure worth retrying. */
  async deferJob(key: string, nextAt: number, error: string): Promise<void> {
    await this.#db.updateTable('provisioning_jobs').set((eb) => ({ attempts: eb('attempts', '+', 1), next_at: nextAt, last_error: error, claimed_until: null }))
      .where('idempotency_key', '=', key).where('status', '=', 'pending').execute();
  }

  /** A job that will not succeed by trying again; a person has to look. */
  async failJob(key: string, error: string, now: number): Promise<void> {
    await this.#db.updateTable('provisioning_jobs').set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'failed', last_error: error, done_at: now, claimed_until: null }))
      .where('idempotency_key', '=', key).where('status', '=', 'pending').execute();
  }

  /**
   * The provisioning system confirmed: the job is done, the order activated and its registration
   * recorded (by `register`, in the same transaction), together, once.
   */
  async completeActivation(key: string, now: number, register: (trx: Transaction<Schema>, orderId: string, iccid: string) => Promise<void>): Promise<boolean> {
    return this.#database.transaction(this.#db, async (trx) => {
      const done = await trx.updateTable('provisioning_jobs').set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'done', done_at: now, last_error: null, claimed_until: null }))
        .where('idempotency_key', '=', key).where('status', '=', 'pending').returning(['order_id', 'iccid']).executeTakeFirst();
      if (!done) return false;
      const order = await this.#orders.getOrder(done.order_id, trx);
      if (!order || !SHIPPED.includes(order.state)) throw new NotShippedError();
      await trx.updateTable('sim_cards').set({ status: 'active' }).where('iccid', '=', done.iccid).execute();
      await this.#orders.transition(done.order_id, order.state, 'activated', 'service opened by the provisioning system', 'system', now, {}, trx);
      await register(trx, done.order_id, done.iccid);
      return true;
    }).catch((error: unknown) => {
      if (error instanceof NotShippedError) return false;
      throw error;
    });
  }

  async insertActivationAttempt(row: Pick<ActivationAttemptRow, 'id' | 'order_id' | 'token_hash' | 'started_at' | 'expires_at'>): Promise<void> {
    await this.#db.insertInto('activation_attempts').values({ ...row, finished_at: null, outcome: null, reasons: null, card_object_id: null, card_read: null }).execute();
  }

  async activationAttempt(id: string, q: Queries = this.#db): Promise<ActivationAttemptRow | undefined> {
    return q.selectFrom('activation_attempts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Attempts started and never finished. */
  async openActivationAttempts(orderId: string): Promise<ActivationAttemptRow[]> {
    return this.#db.selectFrom('activation_attempts').selectAll().where('order_id', '=', orderId).where('finished_at', 'is', null).execute();
  }

  /** Whether an attempt sent anything: a card photo, or frames for a live check. */
  async attemptSentEvidence(attempt: ActivationAttemptRow): Promise<boolean> {
    if (attempt.card_object_id !== null) return true;
    return counted(await this.#db.selectFrom('liveness_challenges').select((eb) => eb.fn.countAll().as('n'))
      .where('order_id', '=', attempt.order_id).where('purpose', '=', `activation:${attempt.id}`).where('answered_at', 'is not', null)
      .executeTakeFirst()) > 0;
  }

  /** Closes an attempt that sent nothing, without counting it against the card. */
  async closeEmptyAttempt(id: string, now: number): Promise<void> {
    await this.#db.updateTable('activation_attempts').set({ finished_at: now, reasons: '["activation_abandoned"]' })
      .where('id', '=', id).where('finished_at', 'is', null).execute();
  }

  async setActivationCard(id: string, objectId: string, sealedRead: Buffer): Promise<string | undefined> {
    return this.#database.transaction(this.#db, async (trx) => {
      await this.#database.lock(trx, `attempt:${id}`);
      const previous = (await this.activationAttempt(id, trx))?.card_object_id ?? undefined;
      await trx.updateTable('activation_attempts').set({ card_object_id: objectId, card_read: sealedRead }).where('id', '=', id).execute();
      return previous;
    });
  }

  /**
   * Closes an attempt that failed and counts it against the card: the `limit`-th failure locks the
   * card until `lockUntil` and starts the count again. Returns the failures counted and the lock.
   */
  async failActivationAttempt(id: string, reasons: string[], now: number, limit: number, lockUntil: number): Promise<{ failures: number; lockedUntil: number | null }> {
    return this.#database.transaction(this.#db, async (trx) => {
      const attempt = await this.activationAttempt(id, trx);
      if (!attempt) throw new Error('no such attempt');
      const closed = changed(await trx.updateTable('activation_attempts').set({ finished_at: now, outcome: 'failed', reasons: JSON.stringify(reasons) })
        .where('id', '=', id).where('finished_at', 'is', null).executeTakeFirst()) === 1;
      const failures = closed
        ? (await trx.updateTable('shipments').set((eb) => ({ activation_failures: eb('activation_failures', '+', 1) }))
          .where('order_id', '=', attempt.order_id).returning('activation_failures').executeTakeFirst())?.activation_failures ?? 0
        : (await this.shipmentOf(attempt.order_id, trx))?.activation_failures ?? 0;
      if (closed && failures >= limit) {
        await trx.updateTable('shipments').set({ activation_failures: 0, activation_locked_until: lockUntil }).where('order_id', '=', attempt.order_id).execute();
        return { failures, lockedUntil: lockUntil };
      }
      return { failures, lockedUntil: (await this.shipmentOf(attempt.order_id, trx))?.activation_locked_until ?? null };
    });
  }

  /** An attempt that passed every check: closed, the card's failures forgotten, the activation queued. */
  async passActivationAttempt(id: string, activationKey: string, now: number): Promise<boolean> {
    return this.#database.transaction(this.#db, async (trx) => {
      const attempt = await this.activationAttempt(id, trx);
      if (!attempt) return false;
      const closed = changed(await trx.updateTable('activation_attempts').set({ finished_at: now, outcome: 'activated', reasons: '[]' })
        .where('id', '=', id).where('finished_at', 'is', null).executeTakeFirst()) === 1;
      if (!closed) return false;
      await trx.updateTable('shipments').set({ activation_failures: 0, activation_locked_until: null, status: 'delivered', updated_at: now })
        .where('order_id', '=', attempt.order_id).execute();
      await this.enqueueActivation(trx, attempt.order_id, activationKey, now);
      return true;
    });
  }
}

/** The job's order is no longer waiting for service: nothing is done (the transaction is undone). */
class NotShippedError extends Error {}
