import type { CaseOutcome, ReportKind } from '@shared';
import { Tables } from '../providers/db/tables.js';

export interface CaseRow {
  id: string;
  reference: string;
  kind: ReportKind;
  state: 'open' | 'closed';
  filed_at: number;
  due_at: number;
  assignee: string | null;
  outcome: CaseOutcome | null;
  closed_at: number | null;
  /** Sealed JSON (`CaseDetails`): what the reporter said, the numbers, the screenshots' objects. */
  details: Buffer;
  /** The reporter's identity check, for a number opened in their name. */
  order_id: string | null;
  /** The agent the case's numbers were sold through, if any. */
  channel_id: string | null;
  /** When what the reporter said and what was noted went, its retention over (the case's facts stay). */
  purged_at: number | null;
}

export interface CaseEventRow {
  case_id: string;
  at: number;
  actor: string;
  kind: string;
  /** Sealed JSON: what was done, with its reason and references. */
  detail: Buffer;
}

/** Cases and what was done on each. */
export class CasesDb extends Tables {
  async insert(row: CaseRow, filed: CaseEventRow): Promise<void> {
    await this.database.transaction(this.db, async (trx) => {
      await trx.insertInto('cases').values(row).execute();
      await trx.insertInto('case_events').values(filed).execute();
    });
  }

  async byId(id: string): Promise<CaseRow | undefined> {
    return this.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byReference(reference: string): Promise<CaseRow | undefined> {
    return this.db.selectFrom('cases').selectAll().where('reference', '=', reference).executeTakeFirst();
  }

  async byOrder(orderId: string): Promise<CaseRow | undefined> {
    return this.db.selectFrom('cases').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  /** The queue: open cases, the nearest deadline first; or the latest closed ones. */
  async list(state: 'open' | 'closed', limit = 200): Promise<CaseRow[]> {
    const query = this.db.selectFrom('cases').selectAll().where('state', '=', state);
    return (state === 'open' ? query.orderBy('due_at', 'asc') : query.orderBy('closed_at', 'desc')).limit(limit).execute();
  }

  async events(caseId: string): Promise<(CaseEventRow & { id: number })[]> {
    const rows = await this.db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('at', 'asc').orderBy('id', 'asc').execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), at: Number(r.at) }));
  }

  /** Records what was done, and changes the case with it (assignment, closing), together. False when the case was closed meanwhile. */
  async record(event: CaseEventRow, change: Partial<Pick<CaseRow, 'assignee' | 'state' | 'outcome' | 'closed_at'>> = {}): Promise<boolean> {
    return this.database.transaction(this.db, async (trx) => {
      // Updated even with nothing to change: the row is locked until the event is in, and a closed case is seen.
      const open = await trx.updateTable('cases').set({ ...change, state: change.state ?? 'open' }).where('id', '=', event.case_id).where('state', '=', 'open').executeTakeFirst();
      if (Number(open.numUpdatedRows) === 0) return false;
      await trx.insertInto('case_events').values(event).execute();
      return true;
    });
  }

  /** Cases closed before `before` whose details are still kept. */
  async closedDue(before: number, limit: number): Promise<CaseRow[]> {
    return this.db.selectFrom('cases').selectAll().where('state', '=', 'closed').where('closed_at', '<', before).where('purged_at', 'is', null).limit(limit).execute();
  }

  /** Empties a case: its details and every event's detail replaced by the (sealed) empty ones given. */
  async empty(id: string, details: Buffer, eventDetail: Buffer, now: number): Promise<void> {
    await this.database.transaction(this.db, async (trx) => {
      await trx.updateTable('case_events').set({ detail: eventDetail }).where('case_id', '=', id).execute();
      await trx.updateTable('cases').set({ details, purged_at: now }).where('id', '=', id).execute();
    });
  }
}
