import { Tables } from '../providers/db/tables.js';

export interface AccessAuditRow {
  /** 1, 2, 3, … with no gap: the chain's order. */
  seq: number;
  at: number;
  staff: string;
  /** What was opened: `case.open`, `evidence.view`, `registration.lookup`, … */
  action: string;
  /** Whose: an order id, never identity data itself. */
  subject: string;
  /** Why the person opened it. */
  reason: string;
  prev_hash: string;
  hash: string;
}

/** The access audit's table: appended to one entry at a time, never updated. */
export class AuditDb extends Tables {
  /**
   * Appends an entry after the last one, alone on the chain (every process): `link` makes the
   * entry's hash from the previous one.
   */
  async append(entry: Omit<AccessAuditRow, 'seq' | 'prev_hash' | 'hash'>, link: (seq: number, prevHash: string) => string, genesis: string): Promise<AccessAuditRow> {
    return this.database.transaction(this.db, async (trx) => {
      await this.database.lock(trx, 'access-audit');
      const last = await trx.selectFrom('access_audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const seq = Number(last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? genesis;
      const row: AccessAuditRow = { ...entry, seq, prev_hash: prevHash, hash: link(seq, prevHash) };
      await trx.insertInto('access_audit').values(row).execute();
      return row;
    });
  }

  /** Entries in the chain's order, from `after` on. */
  async entries(after: number, limit: number): Promise<AccessAuditRow[]> {
    const rows = await this.db.selectFrom('access_audit').selectAll().where('seq', '>', after).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  async latest(limit: number, subject?: string): Promise<AccessAuditRow[]> {
    let query = this.db.selectFrom('access_audit').selectAll().orderBy('seq', 'desc').limit(limit);
    if (subject) query = query.where('subject', '=', subject);
    return (await query.execute()).map((r) => ({ ...r, seq: Number(r.seq) }));
  }
}
