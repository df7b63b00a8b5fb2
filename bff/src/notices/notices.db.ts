import { changed } from '../providers/db/database.js';
import type { Schema } from '../providers/db/schema.js';
import { Tables } from '../providers/db/tables.js';

export type ContactRow = Schema['order_contacts'];
export type NoticeRow = Schema['notices'];

/** The buyers' mobile numbers (sealed) with their confirmation codes, and the notices' outbox. */
export class NoticesDb extends Tables {
  async contact(orderId: string): Promise<ContactRow | undefined> {
    return this.db.selectFrom('order_contacts').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  /** A number and the code just sent to it; a number there before is replaced (and must be confirmed again). */
  async putContact(row: Omit<ContactRow, 'code_attempts' | 'confirmed_at'>): Promise<void> {
    await this.db.insertInto('order_contacts').values({ ...row, code_attempts: 0, confirmed_at: null })
      .onConflict((oc) => oc.column('order_id').doUpdateSet({
        mobile: row.mobile, code_hash: row.code_hash, code_expires_at: row.code_expires_at, code_sent_at: row.code_sent_at, code_attempts: 0, confirmed_at: null,
      })).execute();
  }

  /** Counts a wrong code; returns the attempts made so far. */
  async countWrongCode(orderId: string): Promise<number> {
    const row = await this.db.updateTable('order_contacts').set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) }))
      .where('order_id', '=', orderId).returning('code_attempts').executeTakeFirst();
    return Number(row?.code_attempts ?? 0);
  }

  async confirm(orderId: string, now: number): Promise<boolean> {
    return changed(await this.db.updateTable('order_contacts').set({ confirmed_at: now, code_hash: null, code_expires_at: null })
      .where('order_id', '=', orderId).where('confirmed_at', 'is', null).executeTakeFirst()) === 1;
  }

  async deleteContact(orderId: string): Promise<void> {
    await this.db.deleteFrom('order_contacts').where('order_id', '=', orderId).execute();
  }

  /** Notices due, claimed until `claimUntil` (another process takes one only when its claim ran out). */
  async claimDue(now: number, claimUntil: number, limit = 20): Promise<NoticeRow[]> {
    const due = await this.db.selectFrom('notices').selectAll().where('status', '=', 'pending').where('next_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_at').limit(limit).execute();
    const mine: NoticeRow[] = [];
    for (const notice of due) {
      const taken = changed(await this.db.updateTable('notices').set({ claimed_until: claimUntil }).where('id', '=', notice.id).where('status', '=', 'pending')
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)])).executeTakeFirst()) === 1;
      if (taken) mine.push(notice);
    }
    return mine;
  }

  /** One try at a notice: sent, tried again at `nextAt`, or given up (`nextAt` null). */
  async record(id: string, result: { sent: boolean; error: string | null; nextAt: number | null }, now: number): Promise<void> {
    await this.db.updateTable('notices').set((eb) => ({
      attempts: eb('attempts', '+', 1),
      status: result.sent ? 'sent' : result.nextAt === null ? 'failed' : 'pending',
      next_at: result.nextAt ?? now,
      last_error: result.error,
      sent_at: result.sent ? now : null,
      claimed_until: null,
    })).where('id', '=', id).execute();
  }

  async noticesOf(orderId: string): Promise<NoticeRow[]> {
    return this.db.selectFrom('notices').selectAll().where('order_id', '=', orderId).orderBy('created_at').execute();
  }
}
