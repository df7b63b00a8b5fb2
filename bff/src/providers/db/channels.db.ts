import type Database from 'better-sqlite3';
import type { ChannelStatus } from '@shared';
import type { SqliteDb } from './sqlite.db.js';

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
}

/** States in which an order is still open: a channel that stops selling flags them. */
const OPEN_STATES = ['draft', 'submitted', 'verifying', 'review', 'approved', 'shipped', 'shipped_unactivated'];

/** The channel registry, in the orders' SQLite file; every change is logged with who made it. */
export class ChannelsDb {
  readonly #db: Database.Database;

  constructor(orders: SqliteDb) {
    this.#db = orders.db;
  }

  insert(row: ChannelRow, actor: string): boolean {
    return this.#db.transaction(() => {
      const added = this.#db
        .prepare(`INSERT OR IGNORE INTO channels (id, agent_number, name, licence_number, scope, origins, status, webhook_url, webhook_secret, api_key_hash, created_at, updated_at, kind)
                  VALUES (@id, @agent_number, @name, @licence_number, @scope, @origins, @status, @webhook_url, @webhook_secret, @api_key_hash, @created_at, @updated_at, @kind)`)
        .run(row).changes === 1;
      if (added) this.log(row.id, row.created_at, 'created', actor);
      return added;
    })();
  }

  /**
   * Changes a channel's fields. A channel that stops being active flags its open orders (with the
   * new status), in the same transaction; one that becomes active again clears the flag.
   */
  update(id: string, fields: Partial<Pick<ChannelRow, 'name' | 'licence_number' | 'scope' | 'origins' | 'status' | 'webhook_url'>>, now: number, actor: string): ChannelRow | undefined {
    return this.#db.transaction(() => {
      const before = this.byId(id);
      if (!before) return undefined;
      const after = { ...before, ...fields, updated_at: now };
      this.#db
        .prepare(`UPDATE channels SET name = @name, licence_number = @licence_number, scope = @scope, origins = @origins, status = @status,
                  webhook_url = @webhook_url, updated_at = @updated_at WHERE id = @id`)
        .run(after);
      const changed = Object.keys(fields).filter((key) => fields[key as keyof typeof fields] !== before[key as keyof ChannelRow]);
      if (changed.length > 0) this.log(id, now, `changed ${changed.join(', ')}${fields.status && fields.status !== before.status ? ` to ${fields.status}` : ''}`, actor);
      if (fields.status && fields.status !== before.status) {
        const flag = fields.status === 'active' ? null : `channel_${fields.status}`;
        this.#db
          .prepare(`UPDATE orders SET channel_flag = ? WHERE channel_id = ? AND state IN (${OPEN_STATES.map(() => '?').join(', ')})`)
          .run(flag, id, ...OPEN_STATES);
      }
      return after;
    })();
  }

  private log(channelId: string, at: number, change: string, actor: string): void {
    this.#db.prepare('INSERT INTO channel_events (channel_id, at, change, actor) VALUES (?, ?, ?, ?)').run(channelId, at, change, actor);
  }

  byId(id: string): ChannelRow | undefined {
    return this.#db.prepare('SELECT * FROM channels WHERE id = ?').get(id) as ChannelRow | undefined;
  }

  /** An authorised agent by its number (the operator's own channel is not one). */
  byAgentNumber(agentNumber: string): ChannelRow | undefined {
    return this.#db.prepare(`SELECT * FROM channels WHERE agent_number = ? AND kind = 'agent'`).get(agentNumber) as ChannelRow | undefined;
  }

  /** The operator's own storefront's channel. */
  operatorChannel(): ChannelRow | undefined {
    return this.#db.prepare(`SELECT * FROM channels WHERE kind = 'operator'`).get() as ChannelRow | undefined;
  }

  byApiKeyHash(hash: string): ChannelRow | undefined {
    return this.#db.prepare('SELECT * FROM channels WHERE api_key_hash = ?').get(hash) as ChannelRow | undefined;
  }

  /** The agents, by number. */
  list(): ChannelRow[] {
    return this.#db.prepare(`SELECT * FROM channels WHERE kind = 'agent' ORDER BY agent_number`).all() as ChannelRow[];
  }

  /** How many of a channel's orders are flagged because it stopped selling while they were open. */
  flaggedOrderCount(channelId: string): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM orders WHERE channel_id = ? AND channel_flag IS NOT NULL').get(channelId) as { n: number }).n;
  }

  /** Webhook notices due to be sent. */
  dueDeliveries(now: number, limit = 20): (WebhookDeliveryRow & { webhook_url: string | null })[] {
    return this.#db
      .prepare(`SELECT d.*, c.webhook_url FROM webhook_deliveries d JOIN channels c ON c.id = d.channel_id
                WHERE d.status = 'pending' AND d.next_at <= ? ORDER BY d.next_at LIMIT ?`)
      .all(now, limit) as (WebhookDeliveryRow & { webhook_url: string | null })[];
  }

  /** Records one try at sending a notice: delivered, tried again at `nextAt`, or given up (`nextAt` null). */
  recordDelivery(id: string, result: { ok: boolean; status: number | null; error: string | null; nextAt: number | null }, now: number): void {
    const status = result.ok ? 'delivered' : result.nextAt === null ? 'failed' : 'pending';
    this.#db
      .prepare(`UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, last_status = ?, last_error = ?, next_at = coalesce(?, next_at),
                delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?`)
      .run(status, result.status, result.error, result.nextAt, status, now, id);
  }

  /** Forgets delivered notices older than `before` (failed ones stay for a person to see). */
  pruneDelivered(before: number): number {
    return this.#db.prepare(`DELETE FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < ?`).run(before).changes;
  }

  /** The delivery log of a channel, newest first. */
  deliveriesOf(channelId: string, limit = 100): WebhookDeliveryRow[] {
    return this.#db.prepare('SELECT * FROM webhook_deliveries WHERE channel_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(channelId, limit) as WebhookDeliveryRow[];
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
}
