import type { ChannelStatus, OrderState, PatrolOutcome } from '@shared';
import { type Database, type Queries, changed, counted } from './database.js';
import type { OrdersDb } from './orders.db.js';

export interface ChannelRow {
  id: string;
  agent_number: string;
  name: string;
  licence_number: string;
  /** JSON array of scopes. */
  scope: string;
  /** JSON array of web origins allowed to embed the flow. */
  origins: string;
  status: ChannelStatus;
  webhook_url: string | null;
  /** Sealed. */
  webhook_secret: Buffer;
  /** SHA-256 of the key the storefront's server reads outcomes with. */
  api_key_hash: string;
  created_at: number;
  updated_at: number;
  /** An authorised agent, or the operator's own storefront (which is never an agent). */
  kind: 'agent' | 'operator';
  /** JSON: the admission as recorded (documents, legal representative's name, agreement, checks), without the ID number. */
  admission: string | null;
  /** Keyed hash of the legal representative's ID number (the blacklist binds it). */
  legal_rep_key: string | null;
  recorded_by: string | null;
  approved_by: string | null;
  approved_at: number | null;
  /** JSON array of the pages the agent sells on (null: its sites' home pages). */
  pages: string | null;
}

/** A change of status with its reason and evidence (suspending or blacklisting needs both). */
export interface StatusChange {
  reason: string;
  evidence: string[];
}

/** How the flags an agent's own status puts on its orders begin (a monitoring rule's begin `monitoring_`). */
const CHANNEL_FLAG = 'channel_';
/** States in which an order is still open: a channel that stops selling flags them. */
const OPEN_STATES: readonly OrderState[] = ['draft', 'submitted', 'verifying', 'review', 'approved', 'shipped', 'shipped_unactivated'];

/** The channel registry, in the orders' database; every change is logged with who made it. */
export class ChannelsDb {
  readonly #database: Database;

  constructor(orders: OrdersDb) {
    this.#database = orders.database;
  }

  get #db() {
    return this.#database.db;
  }

  async insert(row: ChannelRow, actor: string): Promise<boolean> {
    return this.#database.transaction(this.#db, async (trx) => {
      const added = (await trx.insertInto('channels').values(row).onConflict((oc) => oc.doNothing()).returning('id').execute()).length === 1;
      if (added) await this.log(trx, row.id, row.created_at, 'created', actor);
      return added;
    });
  }

  /**
   * Changes a channel's fields. A channel that stops being active flags its open orders (with the
   * new status), in the same transaction; one that becomes active again clears the flag.
   */
  async update(id: string, fields: Partial<Pick<ChannelRow, 'name' | 'licence_number' | 'scope' | 'origins' | 'status' | 'webhook_url' | 'pages'>>, now: number, actor: string,
    why?: StatusChange): Promise<ChannelRow | undefined> {
    return this.#database.transaction(this.#db, async (trx) => {
      await this.#database.lock(trx, `channel:${id}`);
      const before = await this.byId(id, trx);
      if (!before) return undefined;
      const after = { ...before, ...fields, updated_at: now };
      await trx.updateTable('channels').set({
        name: after.name, licence_number: after.licence_number, scope: after.scope, origins: after.origins, status: after.status,
        webhook_url: after.webhook_url, pages: after.pages, updated_at: now,
      }).where('id', '=', id).execute();
      const fieldsChanged = Object.keys(fields).filter((key) => fields[key as keyof typeof fields] !== before[key as keyof ChannelRow]);
      if (fieldsChanged.length > 0) await this.log(trx, id, now, `changed ${fieldsChanged.join(', ')}${fields.status && fields.status !== before.status ? ` to ${fields.status}` : ''}`, actor, why);
      // A blacklisting binds the business and the person behind it: neither comes back under another agent number.
      if (fields.status === 'blacklisted' && before.status !== 'blacklisted') {
        const bans = [{ kind: 'credit_code' as const, value: before.licence_number }, ...(before.legal_rep_key ? [{ kind: 'legal_rep' as const, value: before.legal_rep_key }] : [])];
        await trx.insertInto('channel_bans').values(bans.map((ban) => ({ ...ban, channel_id: id, reason: why?.reason ?? '', at: now }))).execute();
      }
      if (fields.status && fields.status !== before.status) {
        const flag = fields.status === 'active' ? null : `${CHANNEL_FLAG}${fields.status}`;
        // A shipment a monitoring rule held is left to the person who works the operations queue.
        await trx.updateTable('orders').set({ channel_flag: flag }).where('channel_id', '=', id).where('state', 'in', OPEN_STATES)
          .where((eb) => eb.or([eb('channel_flag', 'is', null), eb('channel_flag', 'like', `${CHANNEL_FLAG}%`)])).execute();
      }
      return after;
    });
  }

  private async log(q: Queries, channelId: string, at: number, change: string, actor: string, why?: StatusChange): Promise<void> {
    await q.insertInto('channel_events').values({ channel_id: channelId, at, change, actor, reason: why?.reason ?? null, evidence: why ? JSON.stringify(why.evidence) : null }).execute();
  }

  /** A pending agent's admission approved by `actor`: active from now. False when it was not pending. */
  async approve(id: string, actor: string, now: number): Promise<boolean> {
    return this.#database.transaction(this.#db, async (trx) => {
      const moved = changed(await trx.updateTable('channels').set({ status: 'active', approved_by: actor, approved_at: now, updated_at: now })
        .where('id', '=', id).where('status', '=', 'pending').executeTakeFirst()) === 1;
      if (moved) await this.log(trx, id, now, 'admission approved', actor);
      return moved;
    });
  }

  /** The blacklisting that binds a credit code or a legal representative, if one does. */
  async ban(credit: string, legalRepKey: string | null): Promise<{ kind: 'credit_code' | 'legal_rep' } | undefined> {
    return this.#db.selectFrom('channel_bans').select('kind')
      .where((eb) => eb.or([eb.and([eb('kind', '=', 'credit_code'), eb('value', '=', credit)]), ...(legalRepKey ? [eb.and([eb('kind', '=', 'legal_rep'), eb('value', '=', legalRepKey)])] : [])]))
      .limit(1).executeTakeFirst();
  }

  /** Records what the patrol found on a page. */
  async patrolled(finding: { channel_id: string; page: string; outcome: PatrolOutcome; detail: string | null; at: number }): Promise<void> {
    await this.#db.insertInto('channel_patrols').values(finding).execute();
  }

  /** What the patrol last found on each of a channel's pages. */
  async lastPatrol(channelId: string): Promise<{ page: string; outcome: PatrolOutcome; detail: string | null; at: number }[]> {
    const rows = await this.#db.selectFrom('channel_patrols').select(['page', 'outcome', 'detail', 'at']).where('channel_id', '=', channelId).orderBy('at', 'desc').orderBy('id', 'desc').limit(200).execute();
    const seen = new Set<string>();
    return rows.filter((r) => !seen.has(r.page) && seen.add(r.page)).map((r) => ({ ...r, at: Number(r.at) }));
  }

  /** When the patrol last ran (any agent), if ever. */
  async lastPatrolAt(): Promise<number | undefined> {
    const row = await this.#db.selectFrom('channel_patrols').select((eb) => eb.fn.max('at').as('at')).executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /** A channel's changes, oldest first, with who made them and why. */
  async events(channelId: string): Promise<{ at: number; change: string; actor: string; reason: string | null; evidence: string | null }[]> {
    return this.#db.selectFrom('channel_events').select(['at', 'change', 'actor', 'reason', 'evidence']).where('channel_id', '=', channelId).orderBy('id').execute();
  }

  async byId(id: string, q: Queries = this.#db): Promise<ChannelRow | undefined> {
    return q.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** An authorised agent by its number (the operator's own channel is not one). */
  async byAgentNumber(agentNumber: string): Promise<ChannelRow | undefined> {
    return this.#db.selectFrom('channels').selectAll().where('agent_number', '=', agentNumber).where('kind', '=', 'agent').executeTakeFirst();
  }

  /** The operator's own storefront's channel. */
  async operatorChannel(): Promise<ChannelRow | undefined> {
    return this.#db.selectFrom('channels').selectAll().where('kind', '=', 'operator').executeTakeFirst();
  }

  async byApiKeyHash(hash: string): Promise<ChannelRow | undefined> {
    return this.#db.selectFrom('channels').selectAll().where('api_key_hash', '=', hash).executeTakeFirst();
  }

  /** The agents, by number. */
  async list(): Promise<ChannelRow[]> {
    return this.#db.selectFrom('channels').selectAll().where('kind', '=', 'agent').orderBy('agent_number').execute();
  }

  /** How many of a channel's orders are flagged because it stopped selling while they were open. */
  async flaggedOrderCount(channelId: string): Promise<number> {
    return counted(await this.#db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n'))
      .where('channel_id', '=', channelId).where('channel_flag', 'like', `${CHANNEL_FLAG}%`).executeTakeFirst());
  }

  /**
   * Takes the notices that are due, a channel at a time: a channel whose notices another process is
   * sending is left to it (its notices stay in order), and the notices taken are claimed until
   * `claimUntil` by conditional updates in a transaction alone on the channel.
   */
  async claimDueDeliveries(now: number, claimUntil: number, limit = 20): Promise<(WebhookDeliveryRow & { webhook_url: string | null })[]> {
    const channels = await this.#db.selectFrom('webhook_deliveries as d').select('d.channel_id').distinct()
      .where('d.status', '=', 'pending').where('d.next_at', '<=', now)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('webhook_deliveries as busy').select('busy.id')
        .whereRef('busy.channel_id', '=', 'd.channel_id').where('busy.status', '=', 'pending').where('busy.claimed_until', '>=', now))))
      .execute();
    const mine: (WebhookDeliveryRow & { webhook_url: string | null })[] = [];
    for (const { channel_id: channelId } of channels) {
      const taken = await this.#database.transaction(this.#db, async (trx) => {
        await this.#database.lock(trx, `webhooks:${channelId}`);
        const busy = await trx.selectFrom('webhook_deliveries').select('id')
          .where('channel_id', '=', channelId).where('status', '=', 'pending').where('claimed_until', '>=', now).limit(1).executeTakeFirst();
        if (busy) return [];
        const due = await trx.selectFrom('webhook_deliveries as d').innerJoin('channels as c', 'c.id', 'd.channel_id').selectAll('d').select('c.webhook_url')
          .where('d.channel_id', '=', channelId).where('d.status', '=', 'pending').where('d.next_at', '<=', now)
          .orderBy('d.next_at').orderBy('d.created_at').limit(limit).execute();
        if (due.length > 0) {
          await trx.updateTable('webhook_deliveries').set({ claimed_until: claimUntil }).where('id', 'in', due.map((d) => d.id)).execute();
        }
        return due.map((d) => ({ ...d, claimed_until: claimUntil }));
      });
      mine.push(...taken);
    }
    return mine;
  }

  /** Records one try at sending a notice: delivered, tried again at `nextAt`, or given up (`nextAt` null). The claim ends. */
  async recordDelivery(id: string, result: { ok: boolean; status: number | null; error: string | null; nextAt: number | null }, now: number): Promise<void> {
    const status = result.ok ? 'delivered' : result.nextAt === null ? 'failed' : 'pending';
    await this.#db.updateTable('webhook_deliveries').set((eb) => ({
      attempts: eb('attempts', '+', 1), status, last_status: result.status, last_error: result.error,
      next_at: result.nextAt ?? eb.ref('next_at'), delivered_at: status === 'delivered' ? now : eb.ref('delivered_at'), claimed_until: null,
    })).where('id', '=', id).execute();
  }

  /** Forgets delivered notices older than `before` (failed ones stay for a person to see). */
  async pruneDelivered(before: number): Promise<number> {
    return changed(await this.#db.deleteFrom('webhook_deliveries').where('status', '=', 'delivered').where('delivered_at', '<', before).executeTakeFirst());
  }

  /** The delivery log of a channel, newest first. */
  async deliveriesOf(channelId: string, limit = 100): Promise<WebhookDeliveryRow[]> {
    return this.#db.selectFrom('webhook_deliveries').selectAll().where('channel_id', '=', channelId)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }
}

export interface WebhookDeliveryRow {
  id: string;
  channel_id: string;
  order_id: string;
  event: string;
  /** The JSON sent, exactly as signed. */
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  /** Until when a process has the notice (it is sending its channel's notices). */
  claimed_until: number | null;
}
