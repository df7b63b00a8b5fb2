import { changed } from '../providers/db/database.js';
import { Tables } from '../providers/db/tables.js';

/** A hand-off as stored: digests of its code and of the phone's token, never either secret. */
export interface HandoffRow {
  id: string;
  order_id: string;
  code_hash: string;
  device_token_hash: string | null;
  state: 'waiting' | 'claimed' | 'finished' | 'cancelled';
  created_at: number;
  /** Waiting: the code's end. Claimed: the phone's token's end. */
  expires_at: number;
  ended_at: number | null;
}

/** Hand-offs of an order to another device. */
export class HandoffsDb extends Tables {
  /** A new hand-off; any other still open for the order is cancelled (one phone at a time). */
  async open(row: Omit<HandoffRow, 'device_token_hash' | 'state' | 'ended_at'>): Promise<void> {
    await this.database.transaction(this.db, async (trx) => {
      await trx.updateTable('order_handoffs').set({ state: 'cancelled', ended_at: row.created_at })
        .where('order_id', '=', row.order_id).where('state', 'in', ['waiting', 'claimed']).execute();
      await trx.insertInto('order_handoffs').values({ ...row, device_token_hash: null, state: 'waiting', ended_at: null }).execute();
    });
  }

  async get(orderId: string, id: string): Promise<HandoffRow | undefined> {
    return this.db.selectFrom('order_handoffs').selectAll().where('id', '=', id).where('order_id', '=', orderId).executeTakeFirst();
  }

  async byCode(codeHash: string): Promise<HandoffRow | undefined> {
    return this.db.selectFrom('order_handoffs').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  }

  /** The phone takes a waiting hand-off whose code has not run out; false if another took it first. */
  async claim(id: string, deviceTokenHash: string, now: number, until: number): Promise<boolean> {
    return changed(await this.db.updateTable('order_handoffs').set({ state: 'claimed', device_token_hash: deviceTokenHash, expires_at: until })
      .where('id', '=', id).where('state', '=', 'waiting').where('expires_at', '>', now).executeTakeFirst()) === 1;
  }

  /** Ends an open hand-off (`finished` by the phone, `cancelled` by the first device). */
  async end(id: string, state: 'finished' | 'cancelled', now: number): Promise<boolean> {
    return changed(await this.db.updateTable('order_handoffs').set({ state, ended_at: now })
      .where('id', '=', id).where('state', 'in', ['waiting', 'claimed']).executeTakeFirst()) === 1;
  }

  /** The order a phone's token acts for: a claimed hand-off that has not run out. */
  async deviceOrder(deviceTokenHash: string, now: number): Promise<{ orderId: string; handoffId: string } | undefined> {
    const row = await this.db.selectFrom('order_handoffs').select(['id', 'order_id']).where('device_token_hash', '=', deviceTokenHash)
      .where('state', '=', 'claimed').where('expires_at', '>', now).executeTakeFirst();
    return row ? { orderId: row.order_id, handoffId: row.id } : undefined;
  }
}
