import { randomUUID } from 'node:crypto';
import { type Transaction, sql } from 'kysely';
import { type DeliveryPath, type EvidenceKind, NOTICE_EVENTS, type OrderPath, type OrderState, isoFromMs } from '@shared';
import { assertTransition } from '../../domain/orderState.js';
import { type Database, type Queries, changed, counted } from './database.js';
import type { Schema } from './schema.js';
import { SEALED_COLUMNS } from './sealed.js';

export interface OrderRow {
  id: string;
  token_hash: string;
  state: OrderState;
  msisdn: string;
  delivery_path: OrderPath;
  consent_at: number | null;
  consent_version: string | null;
  identity: Buffer | null;
  checks: string | null;
  decision: string | null;
  created_at: number;
  updated_at: number;
  hold_expires_at: number;
  /** Keyed hash of the buyer's ID number, set when the order is submitted (the five-card cap). */
  holder_key: string | null;
  /** The sales channel (authorised agent) the order belongs to. */
  channel_id: string | null;
  /** Set when the channel stopped selling while the order was open (`channel_suspended`, `channel_blacklisted`). */
  channel_flag: string | null;
  /** When the retention sweep deleted what the order held (photos, identity, descriptors, digests). */
  purged_at: number | null;
}

export interface EvidenceRow {
  order_id: string;
  kind: EvidenceKind;
  object_id: string;
  uploaded_at: number;
  /** Sealed JSON of the largest face found at upload, or null (none looked for, or none found). */
  face: Buffer | null;
  /** JSON array of the reason codes found at upload. */
  problems: string;
  /** Sealed JSON array of the ID numbers read in a hand-held photo, or null (not a hand-held photo). */
  card_numbers: Buffer | null;
}

export interface LivenessRow {
  id: string;
  order_id: string;
  /** JSON array of the actions asked, in order. */
  actions: string;
  /** JSON array of the colours the screen showed ('#rrggbb'), in order. */
  colours: string;
  issued_at: number;
  expires_at: number;
  /** When frames were sent for it; a challenge is answered once. */
  answered_at: number | null;
  outcome: 'passed' | 'failed' | 'review' | null;
  /** JSON array of reason codes. */
  reasons: string | null;
  /** Face distance between the live face and the card portrait. */
  score: number | null;
  /** The frame kept as evidence (passed or review only). */
  object_id: string | null;
  /** Sealed descriptor of the face in that frame. */
  face: Buffer | null;
  /** What the check is for: `purchase`, or `activation:<attempt id>`. */
  purpose: string;
}

export interface TransitionRow {
  order_id: string;
  from_state: OrderState | null;
  to_state: OrderState;
  at: number;
  reason: string;
  actor: string;
}

export type HoldClaim = { ok: true; msisdn: string; heldUntil: number } | { ok: false; reason: 'hold_invalid' | 'hold_expired' };

/** Where a number or a card came from: made up by the sandbox, or imported by the operator. */
export type StockOrigin = 'sandbox' | 'import';

/** States in which an order holds, or will hold, a card: counted against its holder's cap. */
const HOLDING_A_CARD: readonly OrderState[] = ['submitted', 'verifying', 'review', 'approved', 'shipped', 'shipped_unactivated', 'activated'];

/** Orders, number holds, evidence references, live checks and the transition log. */
export class OrdersDb {
  readonly database: Database;

  constructor(database: Database) {
    this.database = database;
  }

  /** The query builder, for the tables this class does not cover (and tests). */
  get db() {
    return this.database.db;
  }

  async close(): Promise<void> {
    await this.database.close();
  }

  /** Adds numbers to the pool; numbers already there keep their state. Returns how many were new. */
  async seedNumbers(msisdns: readonly string[], origin: StockOrigin = 'sandbox'): Promise<number> {
    let added = 0;
    for (let i = 0; i < msisdns.length; i += 500) {
      const rows = msisdns.slice(i, i + 500).map((msisdn) => ({ msisdn, status: 'available' as const, origin }));
      const inserted = await this.db.insertInto('numbers').values(rows).onConflict((oc) => oc.column('msisdn').doNothing()).returning('msisdn').execute();
      added += inserted.length;
    }
    return added;
  }

  async countNumbers(): Promise<number> {
    return counted(await this.db.selectFrom('numbers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst());
  }

  /** Holds whose time ran out and that no order took: back to the pool. */
  async releaseLapsedHolds(now: number): Promise<number> {
    return this.database.transaction(this.db, async (trx) => {
      const lapsed = await trx.selectFrom('numbers').select(['msisdn', 'hold_client'])
        .where('status', '=', 'held').where('order_id', 'is', null).where('held_until', '<', now).execute();
      if (lapsed.length === 0) return 0;
      // Each lapse by the network that held it, for the monitoring (numbers held and never ordered).
      const clients = lapsed.flatMap((row) => (row.hold_client ? [{ client: row.hold_client, at: now }] : []));
      if (clients.length > 0) await trx.insertInto('hold_lapses').values(clients).execute();
      return changed(await trx.updateTable('numbers')
        .set({ status: 'available', hold_id: null, hold_token_hash: null, held_until: null })
        .where('msisdn', 'in', lapsed.map((row) => row.msisdn)).where('status', '=', 'held').where('order_id', 'is', null)
        .executeTakeFirst());
    });
  }

  async listAvailableNumbers(prefix: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('numbers').select('msisdn')
      .where('status', '=', 'available').where('msisdn', 'like', `${prefix ?? ''}%`).orderBy('msisdn').limit(limit).execute();
    return rows.map((r) => r.msisdn);
  }

  /**
   * Holds a number for a client, unless it is taken or the client already holds `perClient` numbers
   * that no order has taken yet: counted and held in one transaction that is alone on the client.
   */
  async holdNumber(hold: { msisdn: string; holdId: string; tokenHash: string; until: number; client: string }, now: number, perClient: number): Promise<'held' | 'unavailable' | 'too_many'> {
    return this.database.transaction(this.db, async (trx) => {
      await this.database.lock(trx, `holds:${hold.client}`);
      const held = counted(await trx.selectFrom('numbers').select((eb) => eb.fn.countAll().as('n'))
        .where('hold_client', '=', hold.client).where('status', '=', 'held').where('order_id', 'is', null).where('held_until', '>=', now)
        .executeTakeFirst());
      if (held >= perClient) return 'too_many';
      const taken = changed(await trx.updateTable('numbers')
        .set({ status: 'held', hold_id: hold.holdId, hold_token_hash: hold.tokenHash, held_until: hold.until, order_id: null, hold_client: hold.client })
        .where('msisdn', '=', hold.msisdn)
        .where((eb) => eb.or([
          eb('status', '=', 'available'),
          eb.and([eb('status', '=', 'held'), eb('order_id', 'is', null), eb('held_until', '<', now)]),
        ]))
        .executeTakeFirst()) === 1;
      return taken ? 'held' : 'unavailable';
    });
  }

  /**
   * Creates a draft order on a hold, atomically: the hold is consumed by exactly one order (the
   * number is claimed for the order by a conditional update before the order is written), and the
   * number is held for the order until `heldUntil`.
   */
  async createOrderOnHold(
    order: { id: string; tokenHash: string; deliveryPath: DeliveryPath; channelId: string | null },
    hold: { holdId: string; tokenHash: string },
    now: number,
    heldUntil: number,
  ): Promise<HoldClaim> {
    return this.database.transaction(this.db, async (trx) => {
      const row = await trx.selectFrom('numbers').select(['msisdn', 'hold_token_hash', 'held_until', 'order_id'])
        .where('hold_id', '=', hold.holdId).where('status', '=', 'held').executeTakeFirst();
      if (!row || row.hold_token_hash !== hold.tokenHash || row.order_id) return { ok: false, reason: 'hold_invalid' } as const;
      if ((row.held_until ?? 0) < now) return { ok: false, reason: 'hold_expired' } as const;
      await trx.insertInto('orders').values({
        id: order.id, token_hash: order.tokenHash, state: 'draft', msisdn: row.msisdn, delivery_path: order.deliveryPath,
        created_at: now, updated_at: now, hold_expires_at: heldUntil, channel_id: order.channelId,
        consent_at: null, consent_version: null, identity: null, checks: null, decision: null, holder_key: null, channel_flag: null, purged_at: null,
      }).execute();
      const claimed = changed(await trx.updateTable('numbers').set({ order_id: order.id, held_until: heldUntil })
        .where('hold_id', '=', hold.holdId).where('status', '=', 'held').where('order_id', 'is', null).where('held_until', '>=', now)
        .executeTakeFirst()) === 1;
      // Another order took the hold meanwhile: this one is not made (the transaction is undone).
      if (!claimed) throw new HoldTakenError();
      await this.logTransition(trx, { order_id: order.id, from_state: null, to_state: 'draft', at: now, reason: 'order created', actor: 'buyer' });
      return { ok: true, msisdn: row.msisdn, heldUntil } as const;
    }).catch((error: unknown) => {
      if (error instanceof HoldTakenError) return { ok: false, reason: 'hold_invalid' } as const;
      throw error;
    });
  }

  /**
   * Creates the draft of a re-registration (the number is the subscriber's, in service already) or of
   * an identity check (no number: `msisdn` is empty): no hold of the pool's is taken; the draft may be
   * completed until `until`.
   */
  async createCheck(order: { id: string; tokenHash: string; msisdn: string; channelId: string | null }, path: 'reregistration' | 'identity_check', now: number, until: number): Promise<void> {
    await this.database.transaction(this.db, async (trx) => {
      await trx.insertInto('orders').values({
        id: order.id, token_hash: order.tokenHash, state: 'draft', msisdn: order.msisdn, delivery_path: path,
        created_at: now, updated_at: now, hold_expires_at: until, channel_id: order.channelId,
        consent_at: null, consent_version: null, identity: null, checks: null, decision: null, holder_key: null, channel_flag: null, purged_at: null,
      }).execute();
      const reason = path === 'reregistration' ? 're-registration of a number in service' : 'identity check of a reporter';
      await this.logTransition(trx, { order_id: order.id, from_state: null, to_state: 'draft', at: now, reason, actor: path === 'reregistration' ? 'subscriber' : 'reporter' });
    });
  }

  /** Re-registrations approved and not yet recorded as the number's registration (after a stop half-way). */
  async approvedReregistrations(): Promise<string[]> {
    return (await this.db.selectFrom('orders').select('id').where('state', '=', 'approved').where('delivery_path', '=', 'reregistration').execute()).map((r) => r.id);
  }

  async getOrder(id: string, q: Queries = this.db): Promise<OrderRow | undefined> {
    return q.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async ordersInState(state: OrderState): Promise<OrderRow[]> {
    return this.db.selectFrom('orders').selectAll().where('state', '=', state).execute();
  }

  async setConsent(orderId: string, version: string, now: number): Promise<void> {
    await this.db.updateTable('orders').set({ consent_at: now, consent_version: version, updated_at: now }).where('id', '=', orderId).execute();
  }

  async setIdentity(orderId: string, sealed: Buffer, now: number): Promise<void> {
    await this.db.updateTable('orders').set({ identity: sealed, updated_at: now }).where('id', '=', orderId).execute();
  }

  /** Records an evidence object for a kind; returns the object it replaces, for deletion. */
  async putEvidence(row: EvidenceRow): Promise<string | undefined> {
    return this.database.transaction(this.db, async (trx) => {
      await this.database.lock(trx, `evidence:${row.order_id}:${row.kind}`);
      const previous = await trx.selectFrom('evidence').select('object_id').where('order_id', '=', row.order_id).where('kind', '=', row.kind).executeTakeFirst();
      await trx.insertInto('evidence').values(row)
        .onConflict((oc) => oc.columns(['order_id', 'kind']).doUpdateSet((eb) => ({
          object_id: eb.ref('excluded.object_id'), uploaded_at: eb.ref('excluded.uploaded_at'), face: eb.ref('excluded.face'),
          problems: eb.ref('excluded.problems'), card_numbers: eb.ref('excluded.card_numbers'),
        })))
        .execute();
      return previous?.object_id;
    });
  }

  async evidenceOf(orderId: string): Promise<EvidenceRow[]> {
    return this.db.selectFrom('evidence').selectAll().where('order_id', '=', orderId).execute();
  }

  async deleteEvidenceRows(orderId: string): Promise<void> {
    await this.db.deleteFrom('evidence').where('order_id', '=', orderId).execute();
  }

  /**
   * Moves an order from one state to another if, and only if, it is still in `from`: two racing
   * requests (on any process) cannot both win. Logs the transition in the same transaction.
   */
  async transition(orderId: string, from: OrderState, to: OrderState, reason: string, actor: string, now: number,
    extra: { checks?: string; decision?: string } = {}, q: Queries = this.db): Promise<boolean> {
    assertTransition(from, to);
    return this.database.transaction(q, async (trx) => {
      const moved = changed(await trx.updateTable('orders')
        .set((eb) => ({
          state: to, updated_at: now,
          checks: extra.checks === undefined ? eb.ref('checks') : extra.checks,
          decision: extra.decision === undefined ? eb.ref('decision') : extra.decision,
        }))
        .where('id', '=', orderId).where('state', '=', from)
        .executeTakeFirst()) === 1;
      if (moved) await this.logTransition(trx, { order_id: orderId, from_state: from, to_state: to, at: now, reason, actor });
      return moved;
    });
  }

  /**
   * Logs a transition, and queues it for the order's channel when the channel takes webhooks, in the
   * caller's transaction: a state change and its notice are stored together or not at all. The notice
   * carries the order id, the states and the time; nothing of the buyer.
   */
  private async logTransition(trx: Transaction<Schema>, row: TransitionRow): Promise<void> {
    await trx.insertInto('transitions').values(row).execute();
    // The buyer who confirmed a number hears of the states they wait for, by SMS, in the same transaction.
    if ((NOTICE_EVENTS as readonly string[]).includes(row.to_state)) {
      const contact = await trx.selectFrom('order_contacts').select('order_id').where('order_id', '=', row.order_id).where('confirmed_at', 'is not', null).executeTakeFirst();
      if (contact) {
        await trx.insertInto('notices').values({
          id: randomUUID(), order_id: row.order_id, event: row.to_state, status: 'pending', attempts: 0, next_at: row.at, claimed_until: null, last_error: null, created_at: row.at, sent_at: null,
        }).execute();
      }
    }
    const channel = await trx.selectFrom('orders as o').innerJoin('channels as c', 'c.id', 'o.channel_id').select('c.id')
      .where('o.id', '=', row.order_id).where('c.webhook_url', 'is not', null).executeTakeFirst();
    if (!channel) return;
    const id = randomUUID();
    const event = `order.${row.to_state}`;
    const body = JSON.stringify({ id, event, orderId: row.order_id, state: row.to_state, previousState: row.from_state, at: isoFromMs(row.at) });
    await trx.insertInto('webhook_deliveries').values({
      id, channel_id: channel.id, order_id: row.order_id, event, body, status: 'pending', attempts: 0, next_at: row.at, created_at: row.at,
      last_status: null, last_error: null, delivered_at: null, claimed_until: null,
    }).execute();
  }

  async transitionsOf(orderId: string): Promise<TransitionRow[]> {
    return this.db.selectFrom('transitions').select(['order_id', 'from_state', 'to_state', 'at', 'reason', 'actor'])
      .where('order_id', '=', orderId).orderBy('id').execute();
  }

  /** Assigns an order's number for good (after approval). */
  async assignNumber(orderId: string, q: Queries = this.db): Promise<void> {
    await q.updateTable('numbers').set({ status: 'assigned', held_until: null }).where('order_id', '=', orderId).execute();
  }

  /** Puts an order's number back in the pool. */
  async releaseNumber(orderId: string, q: Queries = this.db): Promise<void> {
    await q.updateTable('numbers').set({ status: 'available', hold_id: null, hold_token_hash: null, held_until: null, order_id: null })
      .where('order_id', '=', orderId).execute();
  }

  async draftsHeldBefore(now: number): Promise<OrderRow[]> {
    return this.db.selectFrom('orders').selectAll().where('state', '=', 'draft').where('hold_expires_at', '<', now).execute();
  }

  async insertChallenge(row: Pick<LivenessRow, 'id' | 'order_id' | 'actions' | 'colours' | 'issued_at' | 'expires_at' | 'purpose'>): Promise<void> {
    await this.db.insertInto('liveness_challenges').values({
      ...row, answered_at: null, outcome: null, reasons: null, score: null, object_id: null, face: null,
    }).execute();
  }

  /** An order's live-check challenges for one purpose, or for every purpose, in the order they were issued. */
  async challengesOf(orderId: string, purpose?: string): Promise<LivenessRow[]> {
    return this.db.selectFrom('liveness_challenges').selectAll().where('order_id', '=', orderId)
      .$if(purpose !== undefined, (qb) => qb.where('purpose', '=', purpose ?? ''))
      .orderBy('issued_at').orderBy('id').execute();
  }

  async getChallenge(id: string, q: Queries = this.db): Promise<LivenessRow | undefined> {
    return q.selectFrom('liveness_challenges').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Marks a challenge answered if nobody answered it before: of two racing answers, one wins. */
  async claimChallenge(id: string, now: number): Promise<boolean> {
    return changed(await this.db.updateTable('liveness_challenges').set({ answered_at: now }).where('id', '=', id).where('answered_at', 'is', null).executeTakeFirst()) === 1;
  }

  /**
   * Undoes a claim that judged nothing (the vision engine was too busy to start reading the frames):
   * the challenge may be answered again, and its frames' digests are no longer a replay.
   */
  async releaseChallenge(id: string, claimedAt: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('liveness_frame_digests').where('challenge_id', '=', id).execute();
      await trx.updateTable('liveness_challenges').set({ answered_at: null })
        .where('id', '=', id).where('answered_at', '=', claimedAt).where('outcome', 'is', null).execute();
    });
  }

  /** Records the digests of a challenge's frames; false when any was recorded before (a replay: the digest is a unique key). */
  async recordFrameDigests(challengeId: string, digests: readonly string[], now: number): Promise<boolean> {
    const unique = [...new Set(digests)];
    if (unique.length === 0) return true;
    const inserted = await this.db.insertInto('liveness_frame_digests')
      .values(unique.map((digest) => ({ digest, challenge_id: challengeId, created_at: now })))
      .onConflict((oc) => oc.column('digest').doNothing()).returning('digest').execute();
    return inserted.length === unique.length;
  }

  /** Records an answered sequence's sealed perceptual hashes and the keyed digests of their bands. */
  async recordSequence(challengeId: string, hashes: Buffer, bands: readonly string[], now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('liveness_sequences').values({ challenge_id: challengeId, hashes, created_at: now })
        .onConflict((oc) => oc.column('challenge_id').doNothing()).execute();
      const unique = [...new Set(bands)];
      if (unique.length > 0) {
        await trx.insertInto('liveness_hash_bands').values(unique.map((band) => ({ band, challenge_id: challengeId, created_at: now })))
          .onConflict((oc) => oc.columns(['band', 'challenge_id']).doNothing()).execute();
      }
    });
  }

  /**
   * Earlier sequences sharing at least `least` of these band digests, most shared first, with their
   * sealed hashes: the candidates a replay is compared with.
   */
  async sequencesSharing(bands: readonly string[], least: number, limit = 5): Promise<{ challenge_id: string; hashes: Buffer }[]> {
    const unique = [...new Set(bands)];
    if (unique.length === 0) return [];
    const shared = await this.db.selectFrom('liveness_hash_bands').select(['challenge_id', (eb) => eb.fn.countAll<number>().as('shared')])
      .where('band', 'in', unique).groupBy('challenge_id').having((eb) => eb.fn.countAll(), '>=', least)
      .orderBy('shared', 'desc').limit(limit).execute();
    if (shared.length === 0) return [];
    return this.db.selectFrom('liveness_sequences').select(['challenge_id', 'hashes']).where('challenge_id', 'in', shared.map((s) => s.challenge_id)).execute();
  }

  /** Forgets frame digests and sequence hashes recorded before `before` (their retention ended). */
  async pruneFrameDigests(before: number): Promise<number> {
    const digests = changed(await this.db.deleteFrom('liveness_frame_digests').where('created_at', '<', before).executeTakeFirst());
    await this.db.deleteFrom('liveness_hash_bands').where('created_at', '<', before).execute();
    const sequences = changed(await this.db.deleteFrom('liveness_sequences').where('created_at', '<', before).executeTakeFirst());
    return digests + sequences;
  }

  /** A write the readiness check makes: the database takes writes (not full, not locked for long, not read-only). */
  async probeWrite(now: number): Promise<void> {
    await this.db.insertInto('readiness_probe').values({ id: 1, at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ at: eb.ref('excluded.at') }))).execute();
  }

  /** The check of the keyring the data was made under (none before the first start). */
  async keyringCheck(): Promise<{ digest: string; sealed: Buffer } | undefined> {
    return this.db.selectFrom('keyring_check').select(['digest', 'sealed']).where('id', '=', 1).executeTakeFirst();
  }

  /** Records the keyring check unless one is there; returns the one that counts. */
  async initKeyringCheck(check: { digest: string; sealed: Buffer }): Promise<{ digest: string; sealed: Buffer }> {
    await this.db.insertInto('keyring_check').values({ id: 1, ...check }).onConflict((oc) => oc.column('id').doNothing()).execute();
    return (await this.keyringCheck()) ?? check;
  }

  /** Holders of cards elsewhere, as imported; `keys` removed (the sandbox's identities in production). */
  async removeHolderCards(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return changed(await this.db.deleteFrom('holder_cards').where('holder_key', 'in', keys).executeTakeFirst());
  }

  /**
   * Visits every sealed value in the database, batch by batch in the order of each table's key.
   * Where `rewrap` gives a new value it is stored, only if the row still holds the value read (a row
   * changed meanwhile is left as it is now). Returns how many values were seen and how many replaced.
   */
  async rewrapSealed(rewrap: (sealed: Buffer, aad: string) => Buffer | undefined): Promise<{ seen: number; rewrapped: number }> {
    let seen = 0;
    let rewrapped = 0;
    for (const sealed of SEALED_COLUMNS) {
      const table = sealed.table as keyof Schema;
      for (let after: string | number | null = null; ;) {
        const key = sql.ref(sealed.pk);
        type Sealed = Record<string, string> & { _key: string | number; value: Buffer };
        const rows: Sealed[] = (await sql<Sealed>`
          SELECT ${key} AS _key, ${sql.join(sealed.key.map((k) => sql.ref(k)))}, ${sql.ref(sealed.column)} AS value FROM ${sql.table(table)}
          WHERE ${sql.ref(sealed.column)} IS NOT NULL ${after === null ? sql`` : sql`AND ${key} > ${after}`} ORDER BY ${key} LIMIT 500`.execute(this.db)).rows;
        if (rows.length === 0) break;
        await this.database.transaction(this.db, async (trx) => {
          for (const row of rows) {
            seen += 1;
            const next = rewrap(row.value, sealed.aad(row));
            if (next) {
              rewrapped += changed(await sql`UPDATE ${sql.table(table)} SET ${sql.ref(sealed.column)} = ${next}
                WHERE ${key} = ${row._key} AND ${sql.ref(sealed.column)} = ${row.value}`.execute(trx));
            }
          }
        });
        after = rows.at(-1)?._key ?? after;
      }
    }
    return { seen, rewrapped };
  }

  /** Numbers the sandbox made up that nobody holds: not offered in production. */
  async removeSandboxNumbers(): Promise<number> {
    return changed(await this.db.deleteFrom('numbers').where('origin', '=', 'sandbox').where('status', '=', 'available').executeTakeFirst());
  }

  /**
   * Records a challenge's outcome. A passing one becomes the order's live check; returns the frames
   * of earlier ones it replaces, for deletion.
   */
  async recordLiveness(id: string, result: Pick<LivenessRow, 'outcome' | 'reasons' | 'score' | 'object_id' | 'face'>): Promise<string[]> {
    return this.database.transaction(this.db, async (trx) => {
      const row = await this.getChallenge(id, trx);
      if (!row) return [];
      await this.database.lock(trx, `liveness:${row.order_id}:${row.purpose}`);
      const replaced = result.object_id === null ? [] : (await trx.selectFrom('liveness_challenges').select('object_id')
        .where('order_id', '=', row.order_id).where('purpose', '=', row.purpose).where('id', '<>', id).where('object_id', 'is not', null)
        .execute()).flatMap((r) => (r.object_id === null ? [] : [r.object_id]));
      if (replaced.length > 0) {
        await trx.updateTable('liveness_challenges').set({ object_id: null, face: null })
          .where('order_id', '=', row.order_id).where('purpose', '=', row.purpose).where('id', '<>', id).execute();
      }
      await trx.updateTable('liveness_challenges').set(result).where('id', '=', id).execute();
      return replaced;
    });
  }

  /** The live check that counts for a purpose: the latest that passed or went to review and kept its frame. */
  async currentLiveness(orderId: string, purpose = 'purchase'): Promise<LivenessRow | undefined> {
    return this.db.selectFrom('liveness_challenges').selectAll()
      .where('order_id', '=', orderId).where('purpose', '=', purpose).where('outcome', 'in', ['passed', 'review']).where('object_id', 'is not', null)
      .orderBy('answered_at', 'desc').limit(1).executeTakeFirst();
  }

  /** Forgets the frames kept for an order's live checks (after the objects are deleted). */
  async clearLivenessEvidence(orderId: string): Promise<void> {
    await this.db.updateTable('liveness_challenges').set({ object_id: null, face: null }).where('order_id', '=', orderId).execute();
  }

  /**
   * Submits a draft if the buyer's cards stay within `cap`: the cards held through other channels plus
   * this operator's orders that hold or will hold a card, counted and claimed in one transaction that
   * is alone on the holder (on every process), so concurrent submissions for one ID number cannot all
   * pass the count.
   */
  async submitWithinCap(orderId: string, holderKey: string, cap: number, now: number): Promise<'submitted' | 'cap_reached' | 'not_draft'> {
    assertTransition('draft', 'submitted');
    return this.database.transaction(this.db, async (trx) => {
      await this.database.lock(trx, `holder:${holderKey}`);
      const msisdn = (await this.getOrder(orderId, trx))?.msisdn ?? '';
      if (await this.cardsOf(holderKey, orderId, trx, msisdn) >= cap) return 'cap_reached';
      const moved = changed(await trx.updateTable('orders').set({ state: 'submitted', holder_key: holderKey, updated_at: now })
        .where('id', '=', orderId).where('state', '=', 'draft').executeTakeFirst()) === 1;
      if (!moved) return 'not_draft';
      await this.logTransition(trx, { order_id: orderId, from_state: 'draft', to_state: 'submitted', at: now, reason: 'buyer confirmed what was read', actor: 'buyer' });
      return 'submitted';
    });
  }

  /** Cards a holder has through other channels (imported by the operator; the sandbox seeds some). */
  async setHolderCards(holderKey: string, cards: number, q: Queries = this.db): Promise<void> {
    await q.insertInto('holder_cards').values({ holder_key: holderKey, cards })
      .onConflict((oc) => oc.column('holder_key').doUpdateSet((eb) => ({ cards: eb.ref('excluded.cards') }))).execute();
  }

  /**
   * A holder's cards as this service knows them (leaving one order out): imported from other channels,
   * in service through orders here, and on their way through orders here (not in service yet).
   */
  async cardsHere(holderKey: string, exceptOrder: string, exceptMsisdn = ''): Promise<{ imported: number; activated: number; pending: number }> {
    const imported = (await this.db.selectFrom('holder_cards').select('cards').where('holder_key', '=', holderKey).executeTakeFirst())?.cards ?? 0;
    // The order's own number is left out too: re-registered before, it is one card, not two.
    const count = async (states: readonly OrderState[]): Promise<number> => counted(await this.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n'))
      .where('holder_key', '=', holderKey).where('id', '<>', exceptOrder).where('msisdn', '<>', exceptMsisdn).where('state', 'in', [...states]).executeTakeFirst());
    return { imported: Number(imported), activated: await count(['activated']), pending: await count(HOLDING_A_CARD.filter((s) => s !== 'activated')) };
  }

  /** The cards counted against a holder's cap right now (leaving one order out, when asked). */
  async cardsOf(holderKey: string, exceptOrder = '', q: Queries = this.db, exceptMsisdn = ''): Promise<number> {
    const other = (await q.selectFrom('holder_cards').select('cards').where('holder_key', '=', holderKey).executeTakeFirst())?.cards ?? 0;
    const ours = counted(await q.selectFrom('orders').select((eb) => eb.fn.countAll().as('n'))
      .where('holder_key', '=', holderKey).where('id', '<>', exceptOrder).where('msisdn', '<>', exceptMsisdn).where('state', 'in', HOLDING_A_CARD).executeTakeFirst());
    return Number(other) + ours;
  }
}

/** A hold consumed by another order between the read and the claim. */
class HoldTakenError extends Error {}
