import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type AlertRule, DELIVERY_PATHS } from '@shared';
import { Tables } from '../providers/db/tables.js';

/** Orders whose card has not left yet: a hold keeps it from being shipped. */
const HOLDABLE = ['draft', 'submitted', 'verifying', 'review', 'approved'] as const;

export interface AlertRow {
  id: string;
  rule: AlertRule;
  subject: string;
  status: 'open' | 'closed';
  /** JSON: the figures that tripped the rule and its threshold. */
  detail: string;
  action: string | null;
  raised_at: number;
  /** When the rule last found it still true. */
  seen_at: number;
  closed_at: number | null;
  closed_by: string | null;
}

/** A count per subject over a window. */
export interface Count {
  subject: string;
  n: number;
}

/** What the monitoring rules read, and the alerts they raise. */
export class MonitoringDb extends Tables {
  /** Orders submitted through each agent since `since`. */
  async agentSubmissions(since: number): Promise<(Count & { channelId: string })[]> {
    const rows = await this.db.selectFrom('transitions as t').innerJoin('orders as o', 'o.id', 't.order_id').innerJoin('channels as c', 'c.id', 'o.channel_id')
      .select(['c.id as channelId', 'c.agent_number as subject', (eb) => eb.fn.countAll().as('n')])
      .where('t.to_state', '=', 'submitted').where('t.at', '>=', since).where('c.kind', '=', 'agent')
      .groupBy(['c.id', 'c.agent_number']).execute();
    return rows.map((r) => ({ channelId: r.channelId, subject: r.subject, n: Number(r.n) }));
  }

  /** Orders decided since `since`, and how many of them were refused, per channel (the operator's own storefront included). */
  async decisionsByChannel(since: number): Promise<{ channelId: string; subject: string; kind: string; decided: number; rejected: number }[]> {
    const rows = await this.db.selectFrom('transitions as t').innerJoin('orders as o', 'o.id', 't.order_id').innerJoin('channels as c', 'c.id', 'o.channel_id')
      .select(['c.id as channelId', 'c.agent_number as subject', 'c.kind as kind', 't.to_state as state', (eb) => eb.fn.countAll().as('n')])
      .where('t.to_state', 'in', ['approved', 'rejected']).where('t.from_state', 'in', ['verifying', 'review']).where('t.at', '>=', since)
      .groupBy(['c.id', 'c.agent_number', 'c.kind', 't.to_state']).execute();
    const byChannel = new Map<string, { channelId: string; subject: string; kind: string; decided: number; rejected: number }>();
    for (const row of rows) {
      const entry = byChannel.get(row.channelId) ?? { channelId: row.channelId, subject: row.subject, kind: row.kind, decided: 0, rejected: 0 };
      entry.decided += Number(row.n);
      if (row.state === 'rejected') entry.rejected += Number(row.n);
      byChannel.set(row.channelId, entry);
    }
    return [...byChannel.values()];
  }

  /** Identities (five-card keys) behind the orders started from each network since `since`. */
  async identitiesByClient(since: number): Promise<Count[]> {
    const rows = await this.db.selectFrom('orders as o').innerJoin('numbers as n', 'n.order_id', 'o.id')
      .select(['n.hold_client as subject', (eb) => eb.fn.count('o.holder_key').distinct().as('n')])
      .where('o.holder_key', 'is not', null).where('n.hold_client', 'is not', null).where('o.created_at', '>=', since)
      .groupBy('n.hold_client').execute();
    return rows.map((r) => ({ subject: r.subject ?? '', n: Number(r.n) }));
  }

  /** Live checks failed since `since`, all buyers together. */
  async liveCheckFailures(since: number): Promise<number> {
    const row = await this.db.selectFrom('liveness_challenges').select((eb) => eb.fn.countAll().as('n'))
      .where('outcome', '=', 'failed').where('answered_at', '>=', since).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Hand-overs each courier refused since `since`. */
  async courierRefusals(since: number): Promise<Count[]> {
    const rows = await this.db.selectFrom('handovers').select(['courier_id as subject', (eb) => eb.fn.countAll().as('n')])
      .where('outcome', '=', 'refused').where('at', '>=', since).groupBy('courier_id').execute();
    return rows.map((r) => ({ subject: r.subject, n: Number(r.n) }));
  }

  /**
   * Raises an alert, or brings the open one of the same rule and subject up to date (one open alert
   * per rule and subject). True when it is new.
   */
  async raise(rule: AlertRule, subject: string, detail: Record<string, number | string>, now: number): Promise<{ id: string; raised: boolean }> {
    return this.database.transaction(this.db, async (trx) => {
      await this.database.lock(trx, `alert:${rule}:${subject}`);
      const open = await trx.selectFrom('alerts').select('id').where('rule', '=', rule).where('subject', '=', subject).where('status', '=', 'open').executeTakeFirst();
      if (open) {
        await trx.updateTable('alerts').set({ seen_at: now, detail: JSON.stringify(detail) }).where('id', '=', open.id).execute();
        return { id: open.id, raised: false };
      }
      const id = randomUUID();
      await trx.insertInto('alerts').values({
        id, rule, subject, status: 'open', detail: JSON.stringify(detail), action: null, raised_at: now, seen_at: now, closed_at: null, closed_by: null,
      }).execute();
      return { id, raised: true };
    });
  }

  /**
   * The orders' steps within [from, to), counted per China day (the day's number since the epoch)
   * and state reached, for one channel or all; and the refused orders' decisions (their reasons).
   */
  async stepsByDay(from: number, to: number, channelId: string | undefined): Promise<{ day: number; state: string; n: number }[]> {
    const dayOf = sql<number>`(t.at + 28800000) / 86400000`;
    let query = this.db.selectFrom('transitions as t').innerJoin('orders as o', 'o.id', 't.order_id')
      .select([dayOf.as('day'), 't.to_state as state', (eb) => eb.fn.countAll().as('n')])
      .where('t.at', '>=', from).where('t.at', '<', to).where('t.to_state', 'in', ['submitted', 'approved', 'rejected', 'review'])
      .where('o.delivery_path', 'in', DELIVERY_PATHS)
      .groupBy([dayOf, 't.to_state']);
    if (channelId) query = query.where('o.channel_id', '=', channelId);
    return (await query.execute()).map((r) => ({ day: Number(r.day), state: r.state, n: Number(r.n) }));
  }

  /** The decisions of the orders refused within [from, to), with the day of the refusal. */
  async refusals(from: number, to: number, channelId: string | undefined): Promise<{ at: number; decision: string | null }[]> {
    let query = this.db.selectFrom('transitions as t').innerJoin('orders as o', 'o.id', 't.order_id').select(['t.at', 'o.decision'])
      .where('t.at', '>=', from).where('t.at', '<', to).where('t.to_state', '=', 'rejected').where('o.delivery_path', 'in', DELIVERY_PATHS);
    if (channelId) query = query.where('o.channel_id', '=', channelId);
    return (await query.execute()).map((r) => ({ at: Number(r.at), decision: r.decision }));
  }

  /** Alerts raised within [from, to), per China day. */
  async alertsByDay(from: number, to: number): Promise<{ day: number; n: number }[]> {
    const dayOf = sql<number>`(raised_at + 28800000) / 86400000`;
    return (await this.db.selectFrom('alerts').select([dayOf.as('day'), (eb) => eb.fn.countAll().as('n')])
      .where('raised_at', '>=', from).where('raised_at', '<', to).groupBy(dayOf).execute()).map((r) => ({ day: Number(r.day), n: Number(r.n) }));
  }

  /** Cases filed from the public's reports per China day (those about one channel's sales, or all). */
  async casesByDay(from: number, to: number, channelId: string | undefined): Promise<{ day: number; n: number }[]> {
    const dayOf = sql<number>`(filed_at + 28800000) / 86400000`;
    let query = this.db.selectFrom('cases').select([dayOf.as('day'), (eb) => eb.fn.countAll().as('n')]).where('filed_at', '>=', from).where('filed_at', '<', to);
    if (channelId) query = query.where('channel_id', '=', channelId);
    return (await query.groupBy(dayOf).execute()).map((r) => ({ day: Number(r.day), n: Number(r.n) }));
  }

  /** Orders waiting for a person now (for one channel or all). */
  async reviewBacklog(channelId: string | undefined): Promise<number> {
    let query = this.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'review');
    if (channelId) query = query.where('channel_id', '=', channelId);
    return Number((await query.executeTakeFirst())?.n ?? 0);
  }

  /** The channels (agents, and the operator's own storefront). */
  async channels(): Promise<{ id: string; agentNumber: string; name: string; kind: string }[]> {
    return (await this.db.selectFrom('channels').select(['id', 'agent_number', 'name', 'kind']).orderBy('kind', 'desc').orderBy('agent_number').execute())
      .map((c) => ({ id: c.id, agentNumber: c.agent_number, name: c.name, kind: c.kind }));
  }

  async setAction(id: string, action: string): Promise<void> {
    await this.db.updateTable('alerts').set({ action }).where('id', '=', id).execute();
  }

  async alerts(status: 'open' | 'all', limit = 200): Promise<AlertRow[]> {
    let query = this.db.selectFrom('alerts').selectAll().orderBy('raised_at', 'desc').limit(limit);
    if (status === 'open') query = query.where('status', '=', 'open');
    return query.execute();
  }

  /** Closes an open alert; false when there is no such open alert. */
  async close(id: string, by: string, now: number): Promise<boolean> {
    const result = await this.db.updateTable('alerts').set({ status: 'closed', closed_at: now, closed_by: by }).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
  /** Holds that lapsed without an order since `since`, per network. */
  async lapsedHoldsByClient(since: number): Promise<Count[]> {
    const rows = await this.db.selectFrom('hold_lapses').select(['client as subject', (eb) => eb.fn.countAll().as('n')])
      .where('at', '>=', since).groupBy('client').execute();
    return rows.map((r) => ({ subject: r.subject, n: Number(r.n) }));
  }

  async pruneLapses(before: number): Promise<void> {
    await this.db.deleteFrom('hold_lapses').where('at', '<', before).execute();
  }

  /** The orders of the live faces indexed since `since` under other identities than `holderKey`, oldest first. */
  async facesOfOthers(holderKey: string, since: number): Promise<string[]> {
    const rows = await this.db.selectFrom('face_index').select('order_id').where('at', '>=', since).where('holder_key', '<>', holderKey).orderBy('at').execute();
    return rows.map((row) => row.order_id);
  }

  /** The sealed faces indexed for these orders, with the identities they were submitted under. */
  async sealedFaces(orderIds: readonly string[]): Promise<{ order_id: string; holder_key: string; face: Buffer }[]> {
    return orderIds.length === 0 ? [] : this.db.selectFrom('face_index').select(['order_id', 'holder_key', 'face']).where('order_id', 'in', orderIds).execute();
  }

  async indexFace(row: { order_id: string; holder_key: string; face: Buffer; at: number }): Promise<void> {
    await this.db.insertInto('face_index').values(row).onConflict((oc) => oc.column('order_id').doNothing()).execute();
  }

  async pruneFaces(before: number): Promise<void> {
    await this.db.deleteFrom('face_index').where('at', '<', before).execute();
  }

  /**
   * Holds the shipment of orders not shipped yet (an agent's, or these): they wait in the operations
   * queue with `flag` until a person releases or cancels them. How many were held.
   */
  async holdShipments(which: { channelId: string } | { orderIds: string[] }, flag: string): Promise<number> {
    let query = this.db.updateTable('orders').set({ channel_flag: flag }).where('state', 'in', HOLDABLE).where('channel_flag', 'is', null);
    query = 'channelId' in which ? query.where('channel_id', '=', which.channelId) : query.where('id', 'in', which.orderIds.length > 0 ? which.orderIds : ['']);
    return Number((await query.executeTakeFirst()).numUpdatedRows);
  }
}
