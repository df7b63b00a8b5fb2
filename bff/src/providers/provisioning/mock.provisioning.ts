import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../db/database.js';
import { validateIccid } from '@shared';
import {
  type ProvisioningAnswer,
  ProvisioningError,
  type ProvisioningPort,
  type ProvisioningRequest,
  type SimStatus,
  type SuspensionRequest,
} from './provisioning.port.js';

export interface MockProvisioningOptions {
  /** Simulated round trip in ms; the change is made half-way, as a remote system would. */
  latencyMs?: number;
  /**
   * Share of calls that fail: half before the change is made (`unavailable`), half after it, with
   * the answer lost (`timeout`). Both are worth trying again with the same idempotency key.
   */
  failureRate?: number;
  random?: () => number;
}

/**
 * A stand-in for the operator's provisioning system, with a state of its own in a separate SQLite
 * file: it outlives a crash of the BFF, as the real one would. It knows any well-formed ICCID, keeps
 * one number per card, and answers a repeated idempotency key as it did the first time.
 */
export class MockProvisioning implements ProvisioningPort {
  readonly #db: Database.Database;
  readonly #latency: number;
  readonly #failureRate: number;
  readonly #random: () => number;

  constructor(file: string, options: MockProvisioningOptions = {}) {
    this.#db = openSqliteFile(file);
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS sims (iccid TEXT PRIMARY KEY, msisdn TEXT NOT NULL UNIQUE, status TEXT NOT NULL, changed_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS requests (idempotency_key TEXT PRIMARY KEY, operation TEXT NOT NULL, iccid TEXT NOT NULL, msisdn TEXT NOT NULL, answer TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY AUTOINCREMENT, iccid TEXT NOT NULL, msisdn TEXT NOT NULL, operation TEXT NOT NULL, at TEXT NOT NULL);
    `);
    this.#latency = options.latencyMs ?? 150;
    this.#failureRate = options.failureRate ?? 0;
    this.#random = options.random ?? Math.random;
  }

  close(): void {
    this.#db.close();
  }

  activate(request: ProvisioningRequest): Promise<ProvisioningAnswer> {
    return this.change('activate', request, 'active');
  }

  /** A suspension keeping emergency calls is recorded as such (`suspend_keep_emergency`). */
  suspend(request: SuspensionRequest): Promise<ProvisioningAnswer> {
    return this.change(request.keepEmergencyCalls ? 'suspend_keep_emergency' : 'suspend', request, 'suspended');
  }

  resume(request: ProvisioningRequest): Promise<ProvisioningAnswer> {
    return this.change('resume', request, 'active');
  }

  terminate(request: ProvisioningRequest & { reason: string }): Promise<ProvisioningAnswer> {
    return this.change('terminate', request, 'stopped');
  }

  /**
   * Cards in service before this product (the subscribers imported from billing): known to this
   * stand-in as active, as the real system knows them. A card it knows already is left as it is.
   */
  adopt(cards: readonly { iccid: string; msisdn: string }[]): void {
    const insert = this.#db.prepare("INSERT INTO sims (iccid, msisdn, status, changed_at) VALUES (?, ?, 'active', ?) ON CONFLICT DO NOTHING");
    const at = new Date().toISOString();
    this.#db.transaction(() => {
      for (const card of cards) insert.run(card.iccid, card.msisdn, at);
    })();
  }

  async status(iccid: string): Promise<{ iccid: string; msisdn?: string; status: SimStatus }> {
    await sleep(this.#latency / 2);
    const row = this.#db.prepare('SELECT msisdn, status FROM sims WHERE iccid = ?').get(iccid) as { msisdn: string; status: SimStatus } | undefined;
    if (row) return { iccid, msisdn: row.msisdn, status: row.status };
    return { iccid, status: validateIccid(iccid).ok ? 'inactive' : 'unknown' };
  }

  /** The changes this system made to a card, and the idempotency keys it was asked with (what "exactly once" is counted by). */
  history(iccid: string): { changes: string[]; keys: string[] } {
    const changes = this.#db.prepare('SELECT operation FROM changes WHERE iccid = ? ORDER BY id').all(iccid) as { operation: string }[];
    const keys = this.#db.prepare('SELECT idempotency_key FROM requests WHERE iccid = ? ORDER BY rowid').all(iccid) as { idempotency_key: string }[];
    return { changes: changes.map((c) => c.operation), keys: keys.map((k) => k.idempotency_key) };
  }

  private async change(operation: string, request: ProvisioningRequest, to: SimStatus): Promise<ProvisioningAnswer> {
    await sleep(this.#latency / 2);
    if (this.#random() < this.#failureRate / 2) throw new ProvisioningError('unavailable', 'provisioning system busy (503)');
    const answer = this.apply(operation, request, to);
    await sleep(this.#latency / 2);
    if (this.#random() < this.#failureRate / 2) throw new ProvisioningError('timeout', 'no answer from the provisioning system in time');
    return answer;
  }

  private apply(operation: string, { iccid, msisdn, idempotencyKey }: ProvisioningRequest, to: SimStatus): ProvisioningAnswer {
    return this.#db.transaction((): ProvisioningAnswer => {
      const seen = this.#db.prepare('SELECT operation, iccid, msisdn, answer FROM requests WHERE idempotency_key = ?').get(idempotencyKey) as
        { operation: string; iccid: string; msisdn: string; answer: string } | undefined;
      if (seen) {
        if (seen.operation !== operation || seen.iccid !== iccid || seen.msisdn !== msisdn) {
          throw new ProvisioningError('idempotency_conflict', 'this idempotency key was used for another request');
        }
        return JSON.parse(seen.answer) as ProvisioningAnswer;
      }
      if (!validateIccid(iccid).ok) throw new ProvisioningError('iccid_unknown', 'no such card');
      const card = this.#db.prepare('SELECT msisdn, status, changed_at FROM sims WHERE iccid = ?').get(iccid) as
        { msisdn: string; status: SimStatus; changed_at: string } | undefined;
      const number = this.#db.prepare('SELECT iccid FROM sims WHERE msisdn = ?').get(msisdn) as { iccid: string } | undefined;
      if ((card && card.msisdn !== msisdn) || (number && number.iccid !== iccid)) {
        throw new ProvisioningError('number_conflict', 'the card or the number is bound to another');
      }
      if (operation !== 'activate' && !card) throw new ProvisioningError('number_conflict', 'the card was never activated');
      if (card?.status === 'stopped') throw new ProvisioningError('number_conflict', 'the card\'s service was stopped');
      if (operation === 'resume' && card?.status === 'inactive') throw new ProvisioningError('number_conflict', 'the card is not suspended');
      const record = (answer: ProvisioningAnswer): ProvisioningAnswer => {
        this.#db.prepare('INSERT INTO requests (idempotency_key, operation, iccid, msisdn, answer) VALUES (?, ?, ?, ?, ?)')
          .run(idempotencyKey, operation, iccid, msisdn, JSON.stringify(answer));
        return answer;
      };
      // Already so (asked again under another key): answered, nothing changes.
      if (card?.status === to) return record({ iccid, msisdn, status: to, at: card.changed_at });
      const at = new Date().toISOString();
      this.#db.prepare(`INSERT INTO sims (iccid, msisdn, status, changed_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (iccid) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at`).run(iccid, msisdn, to, at);
      this.#db.prepare('INSERT INTO changes (iccid, msisdn, operation, at) VALUES (?, ?, ?, ?)').run(iccid, msisdn, operation, at);
      return record({ iccid, msisdn, status: to, at });
    }).immediate();
  }
}
