import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../db/database.js';
import { BillingError, type BillingPort, type RefundAnswer, type RefundRequest } from './billing.port.js';

export interface SandboxBillingOptions {
  /** The key its books file a holder under (the server's keyed digest of the ID number: nothing in clear). */
  holderKey?: (idNumber: string) => string;
  latencyMs?: number;
  /** Share of requests the stand-in fails before doing anything (`unavailable`). */
  failureRate?: number;
  random?: () => number;
}

/**
 * A stand-in for the operator's billing system in a file of its own. Its books: the numbers in
 * service and whose they are (by a keyed digest), as the subscriber import tells it; a number's
 * account closes when its balance is refunded. Every number has a prepaid balance (a few yuan, the
 * same for a number each time), refunded once per idempotency key; a number ending in 0000 is not
 * in its books.
 */
export class SandboxBilling implements BillingPort {
  readonly #db: Database.Database;
  readonly #options: SandboxBillingOptions;

  constructor(file: string, options: SandboxBillingOptions = {}) {
    this.#options = options;
    this.#db = openSqliteFile(file);
    this.#db.exec(`CREATE TABLE IF NOT EXISTS refunds (
      idempotency_key TEXT PRIMARY KEY, msisdn TEXT NOT NULL, refund_id TEXT NOT NULL, amount_fen INTEGER NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS lines (msisdn TEXT PRIMARY KEY, holder_key TEXT, open INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS lines_holder ON lines (holder_key, open);`);
  }

  async refundBalance(request: RefundRequest): Promise<RefundAnswer> {
    await sleep(this.#options.latencyMs ?? 50);
    if ((this.#options.random ?? Math.random)() < (this.#options.failureRate ?? 0)) throw new BillingError('unavailable', 'the sandbox billing system is busy');
    if (request.msisdn.endsWith('0000')) throw new BillingError('unknown_number', 'no such number in billing');
    return this.#db.transaction((): RefundAnswer => {
      const seen = this.#db.prepare('SELECT msisdn, refund_id, amount_fen FROM refunds WHERE idempotency_key = ?').get(request.idempotencyKey) as
        { msisdn: string; refund_id: string; amount_fen: number } | undefined;
      if (seen && seen.msisdn !== request.msisdn) throw new BillingError('idempotency_conflict', 'this idempotency key was used for another number');
      if (seen) return { refundId: seen.refund_id, amountFen: seen.amount_fen };
      // Refunded already (under another key): the balance is empty.
      const earlier = this.#db.prepare('SELECT 1 FROM refunds WHERE msisdn = ?').get(request.msisdn);
      const amountFen = earlier ? 0 : Number(request.msisdn.slice(-3)) * 10;
      const refundId = randomUUID();
      this.#db.prepare('INSERT INTO refunds (idempotency_key, msisdn, refund_id, amount_fen, reason, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(request.idempotencyKey, request.msisdn, refundId, amountFen, request.reason, Date.now());
      this.#db.prepare('UPDATE lines SET open = 0 WHERE msisdn = ?').run(request.msisdn);
      return { refundId, amountFen };
    }).immediate();
  }

  async activeCards(request: { idNumber: string }): Promise<{ active: number }> {
    await sleep(this.#options.latencyMs ?? 50);
    if ((this.#options.random ?? Math.random)() < (this.#options.failureRate ?? 0)) throw new BillingError('unavailable', 'the sandbox billing system is busy');
    if (!this.#options.holderKey) return { active: 0 };
    const row = this.#db.prepare('SELECT count(*) AS n FROM lines WHERE holder_key = ? AND open = 1').get(this.#options.holderKey(request.idNumber)) as { n: number };
    return { active: row.n };
  }

  /** Numbers the operator's books hold (the sandbox learns them from the subscriber import), open unless stopped. */
  book(lines: readonly { msisdn: string; holder_key: string | null; service: string }[]): void {
    const put = this.#db.prepare('INSERT INTO lines (msisdn, holder_key, open) VALUES (?, ?, ?) ON CONFLICT (msisdn) DO UPDATE SET holder_key = excluded.holder_key, open = excluded.open');
    this.#db.transaction(() => {
      for (const line of lines) put.run(line.msisdn, line.holder_key, line.service === 'stopped' ? 0 : 1);
    })();
  }

  /** The refunds made to a number (the sandbox's view of its books). */
  refunds(msisdn: string): { refundId: string; amountFen: number; reason: string }[] {
    return (this.#db.prepare('SELECT refund_id, amount_fen, reason FROM refunds WHERE msisdn = ? ORDER BY at').all(msisdn) as { refund_id: string; amount_fen: number; reason: string }[])
      .map((r) => ({ refundId: r.refund_id, amountFen: r.amount_fen, reason: r.reason }));
  }

  close(): void {
    this.#db.close();
  }
}
