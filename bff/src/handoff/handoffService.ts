import { randomInt, randomUUID } from 'node:crypto';
import { type ClaimedHandoff, type CreatedHandoff, type Handoff, type HandoffProgress, HANDOFF_ALPHABET, HANDOFF_CODE_LENGTH, isoFromMs } from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { hashToken, newToken } from '../crypto/tokens.js';
import { AppError } from '../errors.js';
import type { OrderRow, OrdersDb } from '../providers/db/orders.db.js';
import type { OrderService } from '../services/orderService.js';
import type { HandoffRow, HandoffsDb } from './handoffs.db.js';

export interface HandoffServiceDeps {
  db: HandoffsDb;
  orders: OrdersDb;
  orderService: OrderService;
  envelope: Envelope;
  /** Where buyers reach this service: the phone's link is built from it. */
  publicUrl: string;
  now: () => number;
}

/** How long a code may be taken by a phone, and how long the phone may then go on. */
export const HANDOFF_MINUTES = { code: 10, device: 30 } as const;

const CODE_PURPOSE = 'handoff-code';

/**
 * A buyer on a computer goes on with the order on a phone: a one-time code (a QR code, or typed)
 * gives the phone a token of its own for the order's photos and live check, never the order's
 * token, and the computer follows along until the phone is done. The code is kept as a keyed digest:
 * a copy of the database does not let anyone try codes offline.
 */
export class HandoffService {
  readonly #d: HandoffServiceDeps;

  constructor(deps: HandoffServiceDeps) {
    this.#d = deps;
  }

  /** A new hand-off of a draft order the buyer consented on; an earlier one still open is cancelled. */
  async create(row: OrderRow): Promise<CreatedHandoff> {
    this.#d.orderService.requireDraft(row);
    if (row.consent_at === null) throw new AppError('consent_required', 'consent to processing identity and face data is needed first', 409);
    const code = Array.from({ length: HANDOFF_CODE_LENGTH }, () => HANDOFF_ALPHABET[randomInt(HANDOFF_ALPHABET.length)]).join('');
    const now = this.#d.now();
    const stored = { id: randomUUID(), order_id: row.id, code_hash: this.#codeHash(code), created_at: now, expires_at: now + HANDOFF_MINUTES.code * 60_000 };
    await this.#d.db.open(stored);
    return { handoff: this.#view({ ...stored, device_token_hash: null, state: 'waiting', ended_at: null }), code, link: `${this.#d.publicUrl}/h#${code}` };
  }

  /** Where the hand-off is, and the order as the phone has left it so far. */
  async progress(row: OrderRow, id: string): Promise<HandoffProgress> {
    return { handoff: this.#view(await this.#require(row.id, id)), order: await this.#d.orderService.view(row) };
  }

  /** The first device takes the order back: the code, or the phone's token, opens nothing from now on. */
  async cancel(row: OrderRow, id: string): Promise<Handoff> {
    await this.#require(row.id, id);
    await this.#d.db.end(id, 'cancelled', this.#d.now());
    return this.#view(await this.#require(row.id, id));
  }

  /** The phone takes the code: once, before it runs out, while the first device has not cancelled it. */
  async claim(code: string): Promise<ClaimedHandoff> {
    const found = await this.#d.db.byCode(this.#codeHash(code));
    if (!found) throw new AppError('not_found', 'no such hand-off code; check it, or make a new one on the other device', 404);
    this.#requireWaiting(found);
    const row = await this.#d.orders.getOrder(found.order_id);
    if (!row) throw new AppError('not_found', 'no such order', 404);
    this.#d.orderService.requireDraft(row);
    const deviceToken = newToken();
    const now = this.#d.now();
    if (!(await this.#d.db.claim(found.id, hashToken(deviceToken), now, now + HANDOFF_MINUTES.device * 60_000))) {
      // Another phone took it a moment before, or it ran out between the two reads.
      this.#requireWaiting((await this.#d.db.get(found.order_id, found.id)) ?? found, now);
      throw new AppError('handoff_used', 'this hand-off code was used already', 409);
    }
    const claimed = await this.#require(found.order_id, found.id);
    return { handoff: this.#view(claimed), orderId: row.id, deviceToken, order: await this.#d.orderService.view(row) };
  }

  /**
   * The phone is done (its photos and the live check), as the phone says, or the first device that
   * saw it happen: the phone's token opens nothing from now on.
   */
  async finish(orderId: string, id: string, token: string | undefined): Promise<Handoff> {
    const device = token ? await this.#d.db.deviceOrder(hashToken(token), this.#d.now()) : undefined;
    if (!device || device.orderId !== orderId || device.handoffId !== id) await this.#d.orderService.authorize(orderId, token);
    await this.#require(orderId, id);
    await this.#d.db.end(id, 'finished', this.#d.now());
    return this.#view(await this.#require(orderId, id));
  }

  #codeHash(code: string): string {
    return this.#d.envelope.digest(code, CODE_PURPOSE);
  }

  async #require(orderId: string, id: string): Promise<HandoffRow> {
    const row = await this.#d.db.get(orderId, id);
    if (!row) throw new AppError('not_found', 'no such hand-off', 404);
    return row;
  }

  #requireWaiting(row: HandoffRow, now = this.#d.now()): void {
    if (row.state === 'cancelled') throw new AppError('handoff_cancelled', 'this hand-off was cancelled on the other device', 410);
    if (row.state !== 'waiting') throw new AppError('handoff_used', 'this hand-off code was used already', 409);
    if (row.expires_at <= now) throw new AppError('handoff_expired', 'this hand-off code has run out; make a new one on the other device', 410);
  }

  #view(row: HandoffRow): Handoff {
    const open = row.state === 'waiting' || row.state === 'claimed';
    return { id: row.id, state: open && row.expires_at <= this.#d.now() ? 'expired' : row.state, expiresAt: isoFromMs(row.expires_at) };
  }
}
