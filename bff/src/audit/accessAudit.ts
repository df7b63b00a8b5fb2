import type { Envelope } from '../crypto/envelope.js';
import { tokenEquals } from '../crypto/tokens.js';
import type { AccessAuditRow, AuditDb } from './audit.db.js';

export interface AccessEntry {
  staff: string;
  action: string;
  subject: string;
  reason: string;
}

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** The first entry that does not follow from the one before (edited, removed or inserted). */
  brokenAt?: number;
}

const GENESIS = 'genesis';
const PAGE = 1000;

/**
 * Who opened whose identity data, and why: every entry carries a keyed hash over itself and the
 * entry before it. Editing, removing or inserting an entry breaks the chain from there on, and
 * mending it needs the audit key (derived from the digest root, never in the database).
 */
export class AccessAudit {
  readonly #db: AuditDb;
  readonly #envelope: Envelope;
  readonly #now: () => number;

  constructor(db: AuditDb, envelope: Envelope, now: () => number) {
    this.#db = db;
    this.#envelope = envelope;
    this.#now = now;
  }

  #hash(entry: Omit<AccessAuditRow, 'hash'>): string {
    const fields = [entry.seq, entry.at, entry.staff, entry.action, entry.subject, entry.reason, entry.prev_hash];
    return this.#envelope.digest(JSON.stringify(fields), 'access-audit');
  }

  async record(entry: AccessEntry): Promise<AccessAuditRow> {
    const at = this.#now();
    return this.#db.append({ ...entry, at }, (seq, prevHash) => this.#hash({ ...entry, at, seq, prev_hash: prevHash }), GENESIS);
  }

  async latest(limit = 200, subject?: string): Promise<AccessAuditRow[]> {
    return this.#db.latest(limit, subject);
  }

  /** Walks the whole chain: each entry must follow the one before, and hash to what it says. */
  async verify(): Promise<ChainCheck> {
    let prev = GENESIS;
    let expectedSeq = 1;
    let entries = 0;
    for (let page = await this.#db.entries(0, PAGE); page.length > 0; page = await this.#db.entries(expectedSeq - 1, PAGE)) {
      for (const row of page) {
        const follows = row.seq === expectedSeq && row.prev_hash === prev;
        if (!follows || !tokenEquals(row.hash, this.#hash(row))) return { ok: false, entries, brokenAt: row.seq };
        prev = row.hash;
        expectedSeq += 1;
        entries += 1;
      }
    }
    return { ok: true, entries };
  }
}
