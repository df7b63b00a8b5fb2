import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DeliveryPath, EvidenceKind, OrderState } from '@shared';
import { assertTransition } from '../../domain/orderState.js';
import { MIGRATIONS } from './migrations.js';
import { openDatabase } from './open.js';
import { SEALED_COLUMNS } from './sealed.js';

export interface OrderRow {
  id: string;
  token_hash: string;
  state: OrderState;
  msisdn: string;
  delivery_path: DeliveryPath;
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

/** Orders, number holds, evidence references and the transition log, in one SQLite file. */
export class SqliteDb {
  readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.migrate();
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < MIGRATIONS.length; version += 1) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version] ?? '');
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  /** Adds numbers to the pool; numbers already there keep their state. Returns how many were new. */
  seedNumbers(msisdns: readonly string[], origin: StockOrigin = 'sandbox'): number {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO numbers (msisdn, status, origin) VALUES (?, 'available', ?)`);
    return this.db.transaction(() => msisdns.reduce((added, m) => added + insert.run(m, origin).changes, 0))();
  }

  countNumbers(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM numbers').get() as { n: number }).n;
  }

  /** Holds whose time ran out and that no order took: back to the pool. */
  releaseLapsedHolds(now: number): number {
    return this.db
      .prepare(`UPDATE numbers SET status = 'available', hold_id = NULL, hold_token_hash = NULL, held_until = NULL
                WHERE status = 'held' AND order_id IS NULL AND held_until < ?`)
      .run(now).changes;
  }

  listAvailableNumbers(prefix: string | undefined, limit: number): string[] {
    const rows = this.db
      .prepare(`SELECT msisdn FROM numbers WHERE status = 'available' AND msisdn LIKE ? ORDER BY msisdn LIMIT ?`)
      .all(`${prefix ?? ''}%`, limit) as { msisdn: string }[];
    return rows.map((r) => r.msisdn);
  }

  /**
   * Holds a number for a client, unless it is taken or the client already holds `perClient` numbers
   * that no order has taken yet: counted and held in one immediate transaction.
   */
  holdNumber(hold: { msisdn: string; holdId: string; tokenHash: string; until: number; client: string }, now: number, perClient: number): 'held' | 'unavailable' | 'too_many' {
    return this.db.transaction((): 'held' | 'unavailable' | 'too_many' => {
      const held = (this.db
        .prepare(`SELECT count(*) AS n FROM numbers WHERE hold_client = ? AND status = 'held' AND order_id IS NULL AND held_until >= ?`)
        .get(hold.client, now) as { n: number }).n;
      if (held >= perClient) return 'too_many';
      const taken = this.db
        .prepare(`UPDATE numbers SET status = 'held', hold_id = ?, hold_token_hash = ?, held_until = ?, order_id = NULL, hold_client = ?
                  WHERE msisdn = ? AND (status = 'available' OR (status = 'held' AND order_id IS NULL AND held_until < ?))`)
        .run(hold.holdId, hold.tokenHash, hold.until, hold.client, hold.msisdn, now).changes === 1;
      return taken ? 'held' : 'unavailable';
    }).immediate();
  }

  /**
   * Creates a draft order on a hold, atomically: the hold is consumed by exactly one order, and the
   * number is held for the order until `heldUntil`.
   */
  createOrderOnHold(
    order: { id: string; tokenHash: string; deliveryPath: DeliveryPath; channelId: string | null },
    hold: { holdId: string; tokenHash: string },
    now: number,
    heldUntil: number,
  ): HoldClaim {
    return this.db.transaction((): HoldClaim => {
      const row = this.db
        .prepare(`SELECT msisdn, hold_token_hash, held_until, order_id FROM numbers WHERE hold_id = ? AND status = 'held'`)
        .get(hold.holdId) as { msisdn: string; hold_token_hash: string; held_until: number; order_id: string | null } | undefined;
      if (!row || row.hold_token_hash !== hold.tokenHash || row.order_id) return { ok: false, reason: 'hold_invalid' };
      if (row.held_until < now) return { ok: false, reason: 'hold_expired' };
      this.db
        .prepare(`INSERT INTO orders (id, token_hash, state, msisdn, delivery_path, created_at, updated_at, hold_expires_at, channel_id)
                  VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?)`)
        .run(order.id, order.tokenHash, row.msisdn, order.deliveryPath, now, now, heldUntil, order.channelId);
      this.db.prepare(`UPDATE numbers SET order_id = ?, held_until = ? WHERE msisdn = ?`).run(order.id, heldUntil, row.msisdn);
      this.logTransition({ order_id: order.id, from_state: null, to_state: 'draft', at: now, reason: 'order created', actor: 'buyer' });
      return { ok: true, msisdn: row.msisdn, heldUntil };
    })();
  }

  getOrder(id: string): OrderRow | undefined {
    return this.db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
  }

  ordersInState(state: OrderState): OrderRow[] {
    return this.db.prepare('SELECT * FROM orders WHERE state = ?').all(state) as OrderRow[];
  }

  setConsent(orderId: string, version: string, now: number): void {
    this.db.prepare('UPDATE orders SET consent_at = ?, consent_version = ?, updated_at = ? WHERE id = ?').run(now, version, now, orderId);
  }

  setIdentity(orderId: string, sealed: Buffer, now: number): void {
    this.db.prepare('UPDATE orders SET identity = ?, updated_at = ? WHERE id = ?').run(sealed, now, orderId);
  }

  /** Records an evidence object for a kind; returns the object it replaces, for deletion. */
  putEvidence(row: EvidenceRow): string | undefined {
    return this.db.transaction(() => {
      const previous = this.db
        .prepare('SELECT object_id FROM evidence WHERE order_id = ? AND kind = ?')
        .get(row.order_id, row.kind) as { object_id: string } | undefined;
      this.db
        .prepare(`INSERT INTO evidence (order_id, kind, object_id, uploaded_at, face, problems, card_numbers)
                  VALUES (@order_id, @kind, @object_id, @uploaded_at, @face, @problems, @card_numbers)
                  ON CONFLICT (order_id, kind) DO UPDATE SET object_id = excluded.object_id, uploaded_at = excluded.uploaded_at, face = excluded.face,
                  problems = excluded.problems, card_numbers = excluded.card_numbers`)
        .run(row);
      return previous?.object_id;
    })();
  }

  evidenceOf(orderId: string): EvidenceRow[] {
    return this.db.prepare('SELECT * FROM evidence WHERE order_id = ?').all(orderId) as EvidenceRow[];
  }

  deleteEvidenceRows(orderId: string): void {
    this.db.prepare('DELETE FROM evidence WHERE order_id = ?').run(orderId);
  }

  /**
   * Moves an order from one state to another if, and only if, it is still in `from`: two racing
   * requests cannot both win. Logs the transition in the same transaction.
   */
  transition(orderId: string, from: OrderState, to: OrderState, reason: string, actor: string, now: number,
    extra: { checks?: string; decision?: string } = {}): boolean {
    assertTransition(from, to);
    return this.db.transaction(() => {
      const changed = this.db
        .prepare(`UPDATE orders SET state = ?, updated_at = ?, checks = coalesce(?, checks), decision = coalesce(?, decision)
                  WHERE id = ? AND state = ?`)
        .run(to, now, extra.checks ?? null, extra.decision ?? null, orderId, from).changes === 1;
      if (changed) this.logTransition({ order_id: orderId, from_state: from, to_state: to, at: now, reason, actor });
      return changed;
    })();
  }

  /**
   * Logs a transition, and queues it for the order's channel when the channel takes webhooks, in the
   * caller's transaction: a state change and its notice are stored together or not at all. The notice
   * carries the order id, the states and the time; nothing of the buyer.
   */
  private logTransition(row: TransitionRow): void {
    this.db
      .prepare(`INSERT INTO transitions (order_id, from_state, to_state, at, reason, actor) VALUES (@order_id, @from_state, @to_state, @at, @reason, @actor)`)
      .run(row);
    const channel = this.db
      .prepare('SELECT c.id FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ? AND c.webhook_url IS NOT NULL')
      .get(row.order_id) as { id: string } | undefined;
    if (!channel) return;
    const id = randomUUID();
    const event = `order.${row.to_state}`;
    const body = JSON.stringify({ id, event, orderId: row.order_id, state: row.to_state, previousState: row.from_state, at: new Date(row.at).toISOString() });
    this.db
      .prepare(`INSERT INTO webhook_deliveries (id, channel_id, order_id, event, body, status, next_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`)
      .run(id, channel.id, row.order_id, event, body, row.at, row.at);
  }

  transitionsOf(orderId: string): TransitionRow[] {
    return this.db
      .prepare('SELECT order_id, from_state, to_state, at, reason, actor FROM transitions WHERE order_id = ? ORDER BY id')
      .all(orderId) as TransitionRow[];
  }

  /** Assigns an order's number for good (after approval). */
  assignNumber(orderId: string): void {
    this.db.prepare(`UPDATE numbers SET status = 'assigned', held_until = NULL WHERE order_id = ?`).run(orderId);
  }

  /** Puts an order's number back in the pool. */
  releaseNumber(orderId: string): void {
    this.db
      .prepare(`UPDATE numbers SET status = 'available', hold_id = NULL, hold_token_hash = NULL, held_until = NULL, order_id = NULL
                WHERE order_id = ?`)
      .run(orderId);
  }

  draftsHeldBefore(now: number): OrderRow[] {
    return this.db.prepare(`SELECT * FROM orders WHERE state = 'draft' AND hold_expires_at < ?`).all(now) as OrderRow[];
  }

  insertChallenge(row: Pick<LivenessRow, 'id' | 'order_id' | 'actions' | 'issued_at' | 'expires_at' | 'purpose'>): void {
    this.db
      .prepare(`INSERT INTO liveness_challenges (id, order_id, actions, issued_at, expires_at, purpose)
                VALUES (@id, @order_id, @actions, @issued_at, @expires_at, @purpose)`)
      .run(row);
  }

  /** An order's live-check challenges for one purpose, or for every purpose. */
  challengesOf(orderId: string, purpose?: string): LivenessRow[] {
    return this.db
      .prepare('SELECT * FROM liveness_challenges WHERE order_id = ? AND purpose = coalesce(?, purpose) ORDER BY issued_at, rowid')
      .all(orderId, purpose ?? null) as LivenessRow[];
  }

  getChallenge(id: string): LivenessRow | undefined {
    return this.db.prepare('SELECT * FROM liveness_challenges WHERE id = ?').get(id) as LivenessRow | undefined;
  }

  /** Marks a challenge answered if nobody answered it before: of two racing answers, one wins. */
  claimChallenge(id: string, now: number): boolean {
    return this.db.prepare('UPDATE liveness_challenges SET answered_at = ? WHERE id = ? AND answered_at IS NULL').run(now, id).changes === 1;
  }

  /** Records the digests of a challenge's frames; false when any was recorded before (a replay). */
  recordFrameDigests(challengeId: string, digests: readonly string[], now: number): boolean {
    const insert = this.db.prepare('INSERT OR IGNORE INTO liveness_frame_digests (digest, challenge_id, created_at) VALUES (?, ?, ?)');
    return this.db.transaction(() => {
      let fresh = true;
      for (const digest of new Set(digests)) if (insert.run(digest, challengeId, now).changes === 0) fresh = false;
      return fresh;
    })();
  }

  /** Forgets frame digests recorded before `before` (their retention ended). */
  pruneFrameDigests(before: number): number {
    return this.db.prepare('DELETE FROM liveness_frame_digests WHERE created_at < ?').run(before).changes;
  }

  /** A write the readiness check makes: the database takes writes (not full, not locked for long, not read-only). */
  probeWrite(now: number): void {
    this.db.prepare('INSERT INTO readiness_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(now);
  }

  /** The check of the keyring the data was made under (none before the first start). */
  keyringCheck(): { digest: string; sealed: Buffer } | undefined {
    return this.db.prepare('SELECT digest, sealed FROM keyring_check WHERE id = 1').get() as { digest: string; sealed: Buffer } | undefined;
  }

  /** Records the keyring check unless one is there; returns the one that counts. */
  initKeyringCheck(check: { digest: string; sealed: Buffer }): { digest: string; sealed: Buffer } {
    this.db.prepare('INSERT INTO keyring_check (id, digest, sealed) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING').run(check.digest, check.sealed);
    return this.keyringCheck() ?? check;
  }

  /** Holders of cards elsewhere, as imported; `keys` removed (the sandbox's identities in production). */
  removeHolderCards(keys: readonly string[]): number {
    const remove = this.db.prepare('DELETE FROM holder_cards WHERE holder_key = ?');
    return this.db.transaction(() => keys.reduce((n, key) => n + remove.run(key).changes, 0))();
  }

  /**
   * Visits every sealed value in the database, batch by batch. Where `rewrap` gives a new value it
   * is stored, only if the row still holds the value read (a row changed meanwhile is left as it is
   * now). Returns how many values were seen and how many replaced.
   */
  rewrapSealed(rewrap: (sealed: Buffer, aad: string) => Buffer | undefined): { seen: number; rewrapped: number } {
    let seen = 0;
    let rewrapped = 0;
    for (const sealed of SEALED_COLUMNS) {
      const read = this.db.prepare(`SELECT rowid AS _rowid, ${sealed.key.join(', ')}, ${sealed.column} AS value FROM ${sealed.table}
                                    WHERE ${sealed.column} IS NOT NULL AND rowid > ? ORDER BY rowid LIMIT 500`);
      const write = this.db.prepare(`UPDATE ${sealed.table} SET ${sealed.column} = ? WHERE rowid = ? AND ${sealed.column} = ?`);
      for (let after = 0; ;) {
        const rows = read.all(after) as (Record<string, string> & { _rowid: number; value: Buffer })[];
        if (rows.length === 0) break;
        this.db.transaction(() => {
          for (const row of rows) {
            seen += 1;
            const next = rewrap(row.value, sealed.aad(row));
            if (next) rewrapped += write.run(next, row._rowid, row.value).changes;
          }
        })();
        after = rows.at(-1)?._rowid ?? after;
      }
    }
    return { seen, rewrapped };
  }

  /** Numbers the sandbox made up that nobody holds: not offered in production. */
  removeSandboxNumbers(): number {
    return this.db.prepare(`DELETE FROM numbers WHERE origin = 'sandbox' AND status = 'available'`).run().changes;
  }

  /**
   * Records a challenge's outcome. A passing one becomes the order's live check; returns the frames
   * of earlier ones it replaces, for deletion.
   */
  recordLiveness(id: string, result: Pick<LivenessRow, 'outcome' | 'reasons' | 'score' | 'object_id' | 'face'>): string[] {
    return this.db.transaction(() => {
      const row = this.getChallenge(id);
      if (!row) return [];
      const replaced = result.object_id === null ? [] : (this.db
        .prepare('SELECT object_id FROM liveness_challenges WHERE order_id = ? AND purpose = ? AND id <> ? AND object_id IS NOT NULL')
        .all(row.order_id, row.purpose, id) as { object_id: string }[]).map((r) => r.object_id);
      if (replaced.length > 0) {
        this.db.prepare('UPDATE liveness_challenges SET object_id = NULL, face = NULL WHERE order_id = ? AND purpose = ? AND id <> ?').run(row.order_id, row.purpose, id);
      }
      this.db
        .prepare('UPDATE liveness_challenges SET outcome = @outcome, reasons = @reasons, score = @score, object_id = @object_id, face = @face WHERE id = @id')
        .run({ id, ...result });
      return replaced;
    })();
  }

  /** The live check that counts for a purpose: the latest that passed or went to review and kept its frame. */
  currentLiveness(orderId: string, purpose = 'purchase'): LivenessRow | undefined {
    return this.db
      .prepare(`SELECT * FROM liveness_challenges WHERE order_id = ? AND purpose = ? AND outcome IN ('passed', 'review') AND object_id IS NOT NULL
                ORDER BY answered_at DESC LIMIT 1`)
      .get(orderId, purpose) as LivenessRow | undefined;
  }

  /** Forgets the frames kept for an order's live checks (after the objects are deleted). */
  clearLivenessEvidence(orderId: string): void {
    this.db.prepare('UPDATE liveness_challenges SET object_id = NULL, face = NULL WHERE order_id = ?').run(orderId);
  }

  /**
   * Submits a draft if the buyer's cards stay within `cap`: the cards held through other channels plus
   * this operator's orders that hold or will hold a card (submitted, under verification or review,
   * approved, shipped, activated), counted and claimed in one immediate transaction, so concurrent
   * submissions for one ID number cannot all pass the count.
   */
  submitWithinCap(orderId: string, holderKey: string, cap: number, now: number): 'submitted' | 'cap_reached' | 'not_draft' {
    assertTransition('draft', 'submitted');
    return this.db.transaction((): 'submitted' | 'cap_reached' | 'not_draft' => {
      if (this.cardsOf(holderKey, orderId) >= cap) return 'cap_reached';
      const changed = this.db
        .prepare(`UPDATE orders SET state = 'submitted', holder_key = ?, updated_at = ? WHERE id = ? AND state = 'draft'`)
        .run(holderKey, now, orderId).changes === 1;
      if (!changed) return 'not_draft';
      this.logTransition({ order_id: orderId, from_state: 'draft', to_state: 'submitted', at: now, reason: 'buyer confirmed what was read', actor: 'buyer' });
      return 'submitted';
    }).immediate();
  }

  /** Cards a holder has through other channels (imported by the operator; the sandbox seeds some). */
  setHolderCards(holderKey: string, cards: number): void {
    this.db
      .prepare('INSERT INTO holder_cards (holder_key, cards) VALUES (?, ?) ON CONFLICT (holder_key) DO UPDATE SET cards = excluded.cards')
      .run(holderKey, cards);
  }

  /** The cards counted against a holder's cap right now (leaving one order out, when asked). */
  cardsOf(holderKey: string, exceptOrder = ''): number {
    const other = (this.db.prepare('SELECT cards FROM holder_cards WHERE holder_key = ?').get(holderKey) as { cards: number } | undefined)?.cards ?? 0;
    const ours = (this.db
      .prepare(`SELECT count(*) AS n FROM orders WHERE holder_key = ? AND id <> ?
                AND state IN ('submitted', 'verifying', 'review', 'approved', 'shipped', 'shipped_unactivated', 'activated')`)
      .get(holderKey, exceptOrder) as { n: number }).n;
    return other + ours;
  }
}
