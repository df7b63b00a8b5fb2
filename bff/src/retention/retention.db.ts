import type { OrderState } from '@shared';
import type { SelectQueryBuilder } from 'kysely';
import { type Queries, changed } from '../providers/db/database.js';
import type { Schema } from '../providers/db/schema.js';
import type { OrderRow } from '../providers/db/orders.db.js';
import { Tables } from '../providers/db/tables.js';

/** Orders closed without a card in service: what they hold goes after the short period. */
export const CLOSED_STATES: readonly OrderState[] = ['rejected', 'returned', 'expired', 'withdrawn'];

export interface LegalHoldRow {
  order_id: string;
  staff: string;
  /** Sealed. */
  reason: Buffer;
  at: number;
}

/**
 * What the retention sweep reads and deletes. Every deletion is safe to run twice: a sweep stopped
 * half-way (the process killed between deleting the files and the rows) is finished by the next.
 */
/** Forgets what live checks left of their frames beyond the kept one: digests, perceptual hashes and their bands. */
async function forgetFrames(q: Queries, challenges: SelectQueryBuilder<Schema, 'liveness_challenges', { id: string }>): Promise<void> {
  await q.deleteFrom('liveness_frame_digests').where('challenge_id', 'in', challenges).execute();
  await q.deleteFrom('liveness_hash_bands').where('challenge_id', 'in', challenges).execute();
  await q.deleteFrom('liveness_sequences').where('challenge_id', 'in', challenges).execute();
}

export class RetentionDb extends Tables {
  /**
   * Closed orders, closed before `before`, not yet emptied (or given a photo after they were: an
   * upload that was under way when the buyer withdrew) and not under a legal hold.
   */
  async closedDue(before: number, states: readonly OrderState[], limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('orders').select('id')
      .where('state', 'in', states).where('updated_at', '<', before)
      .where((eb) => eb.or([eb('purged_at', 'is', null), eb.exists(eb.selectFrom('evidence').select('evidence.order_id').whereRef('evidence.order_id', '=', 'orders.id'))]))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('legal_holds').select('order_id').whereRef('legal_holds.order_id', '=', 'orders.id'))))
      .orderBy('updated_at').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /**
   * Reporters' identity checks that passed before `before` and are done with: no report was filed
   * from them, or its case closed before `before`. Not yet emptied, not under a legal hold.
   */
  async identityChecksDue(before: number, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('orders').select('id')
      .where('delivery_path', '=', 'identity_check').where('state', 'in', ['approved', 'review']).where('updated_at', '<', before).where('purged_at', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('cases').select('cases.id').whereRef('cases.order_id', '=', 'orders.id')
        .where((c) => c.or([c('cases.state', '=', 'open'), c('cases.closed_at', '>=', before)])))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('legal_holds').select('order_id').whereRef('legal_holds.order_id', '=', 'orders.id'))))
      .orderBy('updated_at').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /** Registrations whose number's service ended before `before`, not yet emptied and not under a legal hold. */
  async registrationsDue(before: number, limit: number): Promise<{ id: string; order_id: string }[]> {
    return this.db.selectFrom('registrations').select(['id', 'order_id'])
      .where('service_ended_at', '<', before).where('purged_at', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('legal_holds').select('order_id').whereRef('legal_holds.order_id', '=', 'registrations.order_id'))))
      .limit(limit).execute();
  }

  /** Failed activation attempts finished before `before` that still keep a photo or what was read. */
  async failedAttemptsDue(before: number, limit: number): Promise<{ id: string; order_id: string; card_object_id: string | null }[]> {
    return this.db.selectFrom('activation_attempts').select(['id', 'order_id', 'card_object_id'])
      .where('outcome', '=', 'failed').where('finished_at', '<', before)
      .where((eb) => eb.or([eb('card_object_id', 'is not', null), eb('card_read', 'is not', null)]))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('legal_holds').select('order_id').whereRef('legal_holds.order_id', '=', 'activation_attempts.order_id'))))
      .limit(limit).execute();
  }

  /** Activated orders, activated before `before`, whose face templates or card numbers are still kept. */
  async templatesDue(before: number, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('registrations as r').select('r.order_id')
      .where('r.activated_at', '<', before)
      .where((eb) => eb.or([
        eb.exists(eb.selectFrom('evidence as e').select('e.order_id').whereRef('e.order_id', '=', 'r.order_id')
          .where((w) => w.or([w('e.face', 'is not', null), w('e.card_numbers', 'is not', null)]))),
        eb.exists(eb.selectFrom('liveness_challenges as l').select('l.id').whereRef('l.order_id', '=', 'r.order_id').where('l.face', 'is not', null)),
        eb.exists(eb.selectFrom('order_contacts as k').select('k.order_id').whereRef('k.order_id', '=', 'r.order_id')),
      ]))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('legal_holds').select('order_id').whereRef('legal_holds.order_id', '=', 'r.order_id'))))
      .limit(limit).execute();
    return rows.map((r) => r.order_id);
  }

  /** Every stored object an order refers to: its photos, live frames, door and activation photos. */
  async objectsOf(orderId: string): Promise<string[]> {
    const evidence = await this.db.selectFrom('evidence').select('object_id').where('order_id', '=', orderId).execute();
    const live = await this.db.selectFrom('liveness_challenges').select('object_id').where('order_id', '=', orderId).where('object_id', 'is not', null).execute();
    const door = await this.db.selectFrom('handovers').select(['card_object_id', 'face_object_id']).where('order_id', '=', orderId).execute();
    const attempts = await this.db.selectFrom('activation_attempts').select('card_object_id').where('order_id', '=', orderId).where('card_object_id', 'is not', null).execute();
    return [
      ...evidence.map((e) => e.object_id), ...live.map((l) => l.object_id), ...door.flatMap((d) => [d.card_object_id, d.face_object_id]),
      ...attempts.map((a) => a.card_object_id),
    ].filter((id): id is string => id !== null);
  }

  /** The live frames of one activation attempt. */
  async attemptFrames(attemptId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('liveness_challenges').select('object_id').where('purpose', '=', `activation:${attemptId}`).where('object_id', 'is not', null).execute();
    return rows.flatMap((r) => (r.object_id ? [r.object_id] : []));
  }

  /**
   * Empties an order once its objects are deleted: evidence rows, the sealed identity, face templates
   * and card numbers, live frames' references, digests and perceptual hashes, door and activation
   * photos' references, the five-card key, a pending review note, hand-offs to another device. What
   * stays: the order's states, reasons and scores.
   */
  async emptyOrder(orderId: string, now: number): Promise<void> {
    await this.database.transaction(this.db, async (trx) => {
      const challenges = trx.selectFrom('liveness_challenges').select('id').where('order_id', '=', orderId);
      await forgetFrames(trx, challenges);
      await trx.deleteFrom('evidence').where('order_id', '=', orderId).execute();
      await trx.updateTable('liveness_challenges').set({ object_id: null, face: null }).where('order_id', '=', orderId).execute();
      await trx.updateTable('handovers').set({ card_object_id: null, face_object_id: null }).where('order_id', '=', orderId).execute();
      await trx.updateTable('activation_attempts').set({ card_object_id: null, card_read: null }).where('order_id', '=', orderId).execute();
      await trx.deleteFrom('review_proposals').where('order_id', '=', orderId).execute();
      await trx.deleteFrom('order_contacts').where('order_id', '=', orderId).execute();
      await trx.deleteFrom('order_handoffs').where('order_id', '=', orderId).execute();
      await trx.updateTable('registrations').set({ identity: null, holder_key: null, evidence: '[]', purged_at: now }).where('order_id', '=', orderId).execute();
      await trx.updateTable('orders').set({ identity: null, holder_key: null, purged_at: now }).where('id', '=', orderId).execute();
    });
  }

  /** A failed activation attempt forgets its photo, what was read and its live frames. */
  async emptyAttempt(attemptId: string): Promise<void> {
    await this.database.transaction(this.db, async (trx) => {
      const purpose = `activation:${attemptId}`;
      const challenges = trx.selectFrom('liveness_challenges').select('id').where('purpose', '=', purpose);
      await forgetFrames(trx, challenges);
      await trx.updateTable('liveness_challenges').set({ object_id: null, face: null }).where('purpose', '=', purpose).execute();
      await trx.updateTable('activation_attempts').set({ card_object_id: null, card_read: null }).where('id', '=', attemptId).execute();
    });
  }

  /** An activated order's face templates and card numbers: used to decide, not part of the record. */
  async dropTemplates(orderId: string): Promise<void> {
    await this.database.transaction(this.db, async (trx) => {
      await trx.updateTable('evidence').set({ face: null, card_numbers: null }).where('order_id', '=', orderId).execute();
      await trx.updateTable('liveness_challenges').set({ face: null }).where('order_id', '=', orderId).execute();
      // The buyer's number served the notices up to activation.
      await trx.deleteFrom('order_contacts').where('order_id', '=', orderId).execute();
      await forgetFrames(trx, trx.selectFrom('liveness_challenges').select('id').where('order_id', '=', orderId));
    });
  }

  async order(orderId: string): Promise<OrderRow | undefined> {
    return this.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  }

  /** A buyer's orders, by the number they bought or the five-card key of their ID number. */
  async ordersBy(by: 'msisdn' | 'holder_key', value: string): Promise<OrderRow[]> {
    return this.db.selectFrom('orders').selectAll().where(by, '=', value).orderBy('created_at', 'desc').limit(50).execute();
  }

  async registered(orderId: string): Promise<{ service_ended_at: number | null } | undefined> {
    return this.db.selectFrom('registrations').select('service_ended_at').where('order_id', '=', orderId).where('purged_at', 'is', null).executeTakeFirst();
  }

  async hold(orderId: string): Promise<LegalHoldRow | undefined> {
    return this.db.selectFrom('legal_holds').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  async holds(): Promise<LegalHoldRow[]> {
    return this.db.selectFrom('legal_holds').selectAll().orderBy('at', 'desc').execute();
  }

  /** Sets a hold; false when the order has one already. */
  async setHold(row: LegalHoldRow): Promise<boolean> {
    return changed(await this.db.insertInto('legal_holds').values(row).onConflict((oc) => oc.column('order_id').doNothing()).executeTakeFirst()) === 1;
  }

  async liftHold(orderId: string): Promise<boolean> {
    return changed(await this.db.deleteFrom('legal_holds').where('order_id', '=', orderId).executeTakeFirst()) === 1;
  }
}
