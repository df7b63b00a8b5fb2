import { changed } from '../providers/db/database.js';
import type { OrderRow } from '../providers/db/orders.db.js';
import { Tables } from '../providers/db/tables.js';

export interface ProposalRow {
  order_id: string;
  staff: string;
  outcome: 'approve' | 'reject';
  reason: string;
  /** Sealed. */
  note: Buffer;
  at: number;
}

/** Orders in review, when each came to it, and approvals waiting for a second reviewer. */
export class ReviewDb extends Tables {
  /** Orders in review, oldest first, with when they first came to review and their agent. */
  async inReview(): Promise<(OrderRow & { since: number; agent: string | null })[]> {
    const rows = await this.db.selectFrom('orders as o')
      .leftJoin('channels as c', 'c.id', 'o.channel_id')
      .selectAll('o')
      .select((eb) => [
        'c.agent_number as agent',
        eb.selectFrom('transitions as t').select((t) => t.fn.min('t.at').as('since')).whereRef('t.order_id', '=', 'o.id').where('t.to_state', '=', 'review').as('since'),
      ])
      .where('o.state', '=', 'review')
      .execute();
    return rows.map((r) => ({ ...r, since: Number(r.since ?? r.updated_at), agent: r.agent ?? null })).sort((a, b) => a.since - b.since);
  }

  /** When an order first came to review (null: never). */
  async reviewSince(orderId: string): Promise<number | null> {
    const row = await this.db.selectFrom('transitions').select((eb) => eb.fn.min('at').as('since')).where('order_id', '=', orderId).where('to_state', '=', 'review').executeTakeFirst();
    return row?.since === null || row?.since === undefined ? null : Number(row.since);
  }

  async agentOf(channelId: string | null): Promise<string | null> {
    if (!channelId) return null;
    return (await this.db.selectFrom('channels').select('agent_number').where('id', '=', channelId).executeTakeFirst())?.agent_number ?? null;
  }

  async proposal(orderId: string): Promise<ProposalRow | undefined> {
    return this.db.selectFrom('review_proposals').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  async proposals(): Promise<ProposalRow[]> {
    return this.db.selectFrom('review_proposals').selectAll().execute();
  }

  /** Records a first reviewer's approval; false when one is there already. */
  async propose(row: ProposalRow): Promise<boolean> {
    const result = await this.db.insertInto('review_proposals').values(row).onConflict((oc) => oc.column('order_id').doNothing()).executeTakeFirst();
    return changed(result) === 1;
  }

  async clearProposal(orderId: string): Promise<void> {
    await this.db.deleteFrom('review_proposals').where('order_id', '=', orderId).execute();
  }
}
