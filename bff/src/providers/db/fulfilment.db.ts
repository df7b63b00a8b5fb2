import type Database from 'better-sqlite3';
import type { OrderState, ShipmentStatus } from '@shared';
import type { SqliteDb, StockOrigin } from './sqlite.db.js';

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
}

/** States whose order holds a card that is out of the warehouse and not yet in service. */
const SHIPPED: readonly OrderState[] = ['shipped', 'shipped_unactivated'];

/**
 * What happens after approval, in the same SQLite file as the orders: stock of SIM cards, shipments,
 * couriers, hand-overs, activation attempts and the provisioning outbox. Every step that changes an
 * order's state does so in one transaction with what it records.
 */
export class FulfilmentDb {
  readonly #orders: SqliteDb;
  readonly #db: Database.Database;

  constructor(orders: SqliteDb) {
    this.#orders = orders;
    this.#db = orders.db;
  }

  /** Puts cards in stock; a card already there keeps its state. Returns how many were new. */
  addSimCards(cards: readonly Pick<SimCardRow, 'iccid' | 'pack_code_hash' | 'sandbox_pack_code' | 'origin'>[]): number {
    const insert = this.#db.prepare(`INSERT OR IGNORE INTO sim_cards (iccid, status, pack_code_hash, sandbox_pack_code, origin)
                                     VALUES (@iccid, 'available', @pack_code_hash, @sandbox_pack_code, @origin)`);
    return this.#db.transaction(() => cards.reduce((added, card) => added + insert.run(card).changes, 0))();
  }

  simCard(iccid: string): SimCardRow | undefined {
    return this.#db.prepare('SELECT * FROM sim_cards WHERE iccid = ?').get(iccid) as SimCardRow | undefined;
  }

  /** Cards the sandbox made up that are still in the warehouse: not sold in production. */
  removeSandboxSimCards(): number {
    return this.#db.prepare(`DELETE FROM sim_cards WHERE origin = 'sandbox' AND status = 'available'`).run().changes;
  }

  countSimCards(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM sim_cards').get() as { n: number }).n;
  }

  /** Takes a card from stock for an order; the same order asking again gets the same card. Undefined when stock is out. */
  allotSimCard(orderId: string): string | undefined {
    return this.#db.transaction((): string | undefined => {
      const mine = this.#db.prepare('SELECT iccid FROM sim_cards WHERE order_id = ?').get(orderId) as { iccid: string } | undefined;
      if (mine) return mine.iccid;
      const free = this.#db.prepare(`SELECT iccid FROM sim_cards WHERE status = 'available' ORDER BY iccid LIMIT 1`).get() as { iccid: string } | undefined;
      if (!free) return undefined;
      this.#db.prepare(`UPDATE sim_cards SET status = 'packed', order_id = ? WHERE iccid = ?`).run(orderId, free.iccid);
      return free.iccid;
    }).immediate();
  }

  /** Approved orders that have no shipment yet (booking failed, or the BFF stopped in between). */
  approvedUnshipped(): string[] {
    return (this.#db
      .prepare(`SELECT o.id FROM orders o LEFT JOIN shipments s ON s.order_id = o.id WHERE o.state = 'approved' AND s.order_id IS NULL`)
      .all() as { id: string }[]).map((r) => r.id);
  }

  /** Records a booked shipment and moves the order to its shipped state, together. */
  recordShipment(row: Omit<ShipmentRow, 'code_failures' | 'activation_failures' | 'activation_locked_until' | 'updated_at'>, to: 'shipped' | 'shipped_unactivated'): boolean {
    return this.#db.transaction(() => {
      if (!this.#orders.transition(row.order_id, 'approved', to, `booked with ${row.carrier}`, 'system', row.created_at)) return false;
      this.#db
        .prepare(`INSERT INTO shipments (order_id, carrier, tracking_number, iccid, handover_code, status, created_at, updated_at)
                  VALUES (@order_id, @carrier, @tracking_number, @iccid, @handover_code, @status, @created_at, @created_at)`)
        .run(row);
      return true;
    })();
  }

  shipmentOf(orderId: string): ShipmentRow | undefined {
    return this.#db.prepare('SELECT * FROM shipments WHERE order_id = ?').get(orderId) as ShipmentRow | undefined;
  }

  shipmentByTracking(trackingNumber: string): ShipmentRow | undefined {
    return this.#db.prepare('SELECT * FROM shipments WHERE tracking_number = ?').get(trackingNumber) as ShipmentRow | undefined;
  }

  shipmentByIccid(iccid: string): ShipmentRow | undefined {
    return this.#db.prepare('SELECT * FROM shipments WHERE iccid = ?').get(iccid) as ShipmentRow | undefined;
  }

  /** A carrier's status report, for a parcel still on its way. */
  setShipmentStatus(orderId: string, status: 'out_for_delivery' | 'delivered', now: number): boolean {
    return this.#db
      .prepare(`UPDATE shipments SET status = ?, updated_at = ? WHERE order_id = ? AND status IN ('in_transit', 'out_for_delivery', 'delivered')`)
      .run(status, now, orderId).changes === 1;
  }

  /** A wrong hand-over code; returns how many there have been. */
  countCodeFailure(orderId: string): number {
    return (this.#db
      .prepare('UPDATE shipments SET code_failures = code_failures + 1 WHERE order_id = ? RETURNING code_failures')
      .get(orderId) as { code_failures: number }).code_failures;
  }

  addCourier(row: Omit<CourierRow, 'disabled_at'>): void {
    this.#db.prepare('INSERT INTO couriers (id, company, name, token_hash, created_at, role) VALUES (@id, @company, @name, @token_hash, @created_at, @role)').run(row);
  }

  /** Adds a courier unless one with that id exists, and enables it (the sandbox's, on every sandbox start). */
  ensureCourier(row: Omit<CourierRow, 'disabled_at'>): void {
    this.#db.prepare(`INSERT INTO couriers (id, company, name, token_hash, created_at, role) VALUES (@id, @company, @name, @token_hash, @created_at, @role)
                      ON CONFLICT (id) DO UPDATE SET disabled_at = NULL`).run(row);
  }

  /** Disables couriers: their access codes open nothing from now on. Returns how many were enabled. */
  disableCouriers(ids: readonly string[], now: number): number {
    const disable = this.#db.prepare('UPDATE couriers SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL');
    return this.#db.transaction(() => ids.reduce((n, id) => n + disable.run(now, id).changes, 0))();
  }

  couriers(): CourierRow[] {
    return this.#db.prepare('SELECT * FROM couriers ORDER BY company, name').all() as CourierRow[];
  }

  courierByTokenHash(tokenHash: string): CourierRow | undefined {
    return this.#db.prepare('SELECT * FROM couriers WHERE token_hash = ? AND disabled_at IS NULL').get(tokenHash) as CourierRow | undefined;
  }

  /**
   * The courier's verdict at the door, recorded with its consequences in one transaction: handed
   * over → the activation is queued (its idempotency key fixed now); refused → the order is returned,
   * its number goes back to the pool and its card back to stock. False if the delivery was closed already.
   */
  recordHandover(row: HandoverRow, activationKey: string): boolean {
    return this.#db.transaction(() => {
      const closed = this.#db
        .prepare(`UPDATE shipments SET status = ?, updated_at = ? WHERE order_id = ? AND status IN ('in_transit', 'out_for_delivery')`)
        .run(row.outcome, row.at, row.order_id).changes === 0;
      if (closed) return false;
      this.#db
        .prepare(`INSERT INTO handovers (order_id, courier_id, at, outcome, reasons, card_object_id, face_object_id, score, live_score, confirmed_at, device_time, supervisor_id)
                  VALUES (@order_id, @courier_id, @at, @outcome, @reasons, @card_object_id, @face_object_id, @score, @live_score, @confirmed_at, @device_time, @supervisor_id)`)
        .run(row);
      if (row.outcome === 'handed_over') {
        this.enqueueActivation(row.order_id, activationKey, row.at);
      } else {
        this.returnOrder(row.order_id, 'shipped', `hand-over refused: ${(JSON.parse(row.reasons) as string[]).join(',')}`, `courier:${row.courier_id}`, row.at);
      }
      return true;
    })();
  }

  /** The parcel came back (refused at the door, or the carrier returned it): the order releases all it held. */
  returnOrder(orderId: string, from: 'shipped' | 'shipped_unactivated', reason: string, actor: string, now: number): boolean {
    return this.#db.transaction(() => {
      if (!this.#orders.transition(orderId, from, 'returned', reason, actor, now)) return false;
      this.#db.prepare(`UPDATE shipments SET status = CASE status WHEN 'refused' THEN 'refused' ELSE 'returned' END, updated_at = ? WHERE order_id = ?`).run(now, orderId);
      this.#db.prepare(`UPDATE sim_cards SET status = 'returned' WHERE order_id = ?`).run(orderId);
      this.#orders.releaseNumber(orderId);
      return true;
    })();
  }

  private enqueueActivation(orderId: string, key: string, now: number): void {
    const order = this.#orders.getOrder(orderId);
    const shipment = this.shipmentOf(orderId);
    if (!order || !shipment) throw new Error('activation for an order without a shipment');
    this.#db
      .prepare(`INSERT OR IGNORE INTO provisioning_jobs (idempotency_key, order_id, operation, iccid, msisdn, status, next_at, created_at)
                VALUES (?, ?, 'activate', ?, ?, 'pending', ?, ?)`)
      .run(key, orderId, shipment.iccid, order.msisdn, now, now);
  }

  provisioningJobOf(orderId: string): ProvisioningJobRow | undefined {
    return this.#db.prepare('SELECT * FROM provisioning_jobs WHERE order_id = ?').get(orderId) as ProvisioningJobRow | undefined;
  }

  dueJobs(now: number): ProvisioningJobRow[] {
    return this.#db.prepare(`SELECT * FROM provisioning_jobs WHERE status = 'pending' AND next_at <= ? ORDER BY next_at`).all(now) as ProvisioningJobRow[];
  }

  /** The next try of a job, after a failure worth retrying. */
  deferJob(key: string, nextAt: number, error: string): void {
    this.#db.prepare('UPDATE provisioning_jobs SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE idempotency_key = ? AND status = ?')
      .run(nextAt, error, key, 'pending');
  }

  /** A job that will not succeed by trying again; a person has to look. */
  failJob(key: string, error: string, now: number): void {
    this.#db.prepare(`UPDATE provisioning_jobs SET attempts = attempts + 1, status = 'failed', last_error = ?, done_at = ? WHERE idempotency_key = ? AND status = 'pending'`)
      .run(error, now, key);
  }

  /** The provisioning system confirmed: the job is done and the order activated, together, once. */
  completeActivation(key: string, now: number): boolean {
    return this.#db.transaction(() => {
      const job = this.#db.prepare(`SELECT * FROM provisioning_jobs WHERE idempotency_key = ? AND status = 'pending'`).get(key) as ProvisioningJobRow | undefined;
      if (!job) return false;
      const order = this.#orders.getOrder(job.order_id);
      if (!order || !SHIPPED.includes(order.state)) return false;
      this.#db.prepare(`UPDATE provisioning_jobs SET attempts = attempts + 1, status = 'done', done_at = ?, last_error = NULL WHERE idempotency_key = ?`).run(now, key);
      this.#db.prepare(`UPDATE sim_cards SET status = 'active' WHERE iccid = ?`).run(job.iccid);
      this.#orders.transition(job.order_id, order.state, 'activated', 'service opened by the provisioning system', 'system', now);
      return true;
    })();
  }

  insertActivationAttempt(row: Pick<ActivationAttemptRow, 'id' | 'order_id' | 'token_hash' | 'started_at' | 'expires_at'>): void {
    this.#db.prepare(`INSERT INTO activation_attempts (id, order_id, token_hash, started_at, expires_at)
                      VALUES (@id, @order_id, @token_hash, @started_at, @expires_at)`).run(row);
  }

  activationAttempt(id: string): ActivationAttemptRow | undefined {
    return this.#db.prepare('SELECT * FROM activation_attempts WHERE id = ?').get(id) as ActivationAttemptRow | undefined;
  }

  /** Attempts started and never finished. */
  openActivationAttempts(orderId: string): ActivationAttemptRow[] {
    return this.#db.prepare('SELECT * FROM activation_attempts WHERE order_id = ? AND finished_at IS NULL').all(orderId) as ActivationAttemptRow[];
  }

  /** Whether an attempt sent anything: a card photo, or frames for a live check. */
  attemptSentEvidence(attempt: ActivationAttemptRow): boolean {
    if (attempt.card_object_id !== null) return true;
    return (this.#db
      .prepare('SELECT count(*) AS n FROM liveness_challenges WHERE order_id = ? AND purpose = ? AND answered_at IS NOT NULL')
      .get(attempt.order_id, `activation:${attempt.id}`) as { n: number }).n > 0;
  }

  /** Closes an attempt that sent nothing, without counting it against the card. */
  closeEmptyAttempt(id: string, now: number): void {
    this.#db.prepare(`UPDATE activation_attempts SET finished_at = ?, reasons = '["activation_abandoned"]' WHERE id = ? AND finished_at IS NULL`).run(now, id);
  }

  setActivationCard(id: string, objectId: string, sealedRead: Buffer): string | undefined {
    return this.#db.transaction(() => {
      const previous = this.activationAttempt(id)?.card_object_id ?? undefined;
      this.#db.prepare('UPDATE activation_attempts SET card_object_id = ?, card_read = ? WHERE id = ?').run(objectId, sealedRead, id);
      return previous;
    })();
  }

  /**
   * Closes an attempt that failed and counts it against the card: the `limit`-th failure locks the
   * card until `lockUntil` and starts the count again. Returns the failures counted and the lock.
   */
  failActivationAttempt(id: string, reasons: string[], now: number, limit: number, lockUntil: number): { failures: number; lockedUntil: number | null } {
    return this.#db.transaction(() => {
      const attempt = this.activationAttempt(id);
      if (!attempt) throw new Error('no such attempt');
      const closed = this.#db
        .prepare(`UPDATE activation_attempts SET finished_at = ?, outcome = 'failed', reasons = ? WHERE id = ? AND finished_at IS NULL`)
        .run(now, JSON.stringify(reasons), id).changes === 1;
      const counted = closed
        ? this.#db.prepare('UPDATE shipments SET activation_failures = activation_failures + 1 WHERE order_id = ? RETURNING activation_failures').get(attempt.order_id) as { activation_failures: number }
        : { activation_failures: this.shipmentOf(attempt.order_id)?.activation_failures ?? 0 };
      if (closed && counted.activation_failures >= limit) {
        this.#db.prepare('UPDATE shipments SET activation_failures = 0, activation_locked_until = ? WHERE order_id = ?').run(lockUntil, attempt.order_id);
        return { failures: counted.activation_failures, lockedUntil: lockUntil };
      }
      return { failures: counted.activation_failures, lockedUntil: this.shipmentOf(attempt.order_id)?.activation_locked_until ?? null };
    })();
  }

  /** An attempt that passed every check: closed, the card's failures forgotten, the activation queued. */
  passActivationAttempt(id: string, activationKey: string, now: number): boolean {
    return this.#db.transaction(() => {
      const attempt = this.activationAttempt(id);
      if (!attempt) return false;
      const closed = this.#db
        .prepare(`UPDATE activation_attempts SET finished_at = ?, outcome = 'activated', reasons = '[]' WHERE id = ? AND finished_at IS NULL`)
        .run(now, id).changes === 1;
      if (!closed) return false;
      this.#db.prepare(`UPDATE shipments SET activation_failures = 0, activation_locked_until = NULL, status = 'delivered', updated_at = ? WHERE order_id = ?`)
        .run(now, attempt.order_id);
      this.enqueueActivation(attempt.order_id, activationKey, now);
      return true;
    })();
  }
}
