import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { type SandboxSms, isoFromMs } from '@shared';
import { openSqliteFile } from '../db/database.js';
import { NotifierError, type NotifierPort, type SmsMessage, renderSms } from './notifier.port.js';

export interface SandboxNotifierOptions {
  /** The operator's SMS signature (【…】). */
  signature: string;
  latencyMs?: number;
  /** Share of sends the SMS centre fails for a while (`unavailable`: sent again later). */
  failureRate?: number;
  random?: () => number;
  /** The clock (the server's: tests move it). */
  now?: () => number;
}

/** Seconds between two verification codes to one number, as SMS services enforce. */
const CODE_INTERVAL_MS = 60_000;

/**
 * A stand-in SMS centre with an inbox QA reads in the browser (/sandbox/sms), in a file of its own.
 * It behaves like the real services: it takes time, fails now and then, refuses a number ending in
 * 0000 (not in service) and one ending in 4444 (blocked the operator), and limits verification codes
 * to one a minute per number.
 */
export class SandboxNotifier implements NotifierPort {
  readonly #db: Database.Database;
  readonly #options: SandboxNotifierOptions;

  constructor(file: string, options: SandboxNotifierOptions) {
    this.#options = options;
    this.#db = openSqliteFile(file);
    this.#db.exec(`CREATE TABLE IF NOT EXISTS sms (
      id TEXT PRIMARY KEY, recipient TEXT NOT NULL, template TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL, status TEXT NOT NULL
    )`);
  }

  async send(message: SmsMessage): Promise<{ messageId: string }> {
    await sleep(this.#options.latencyMs ?? 50);
    if ((this.#options.random ?? Math.random)() < (this.#options.failureRate ?? 0)) throw new NotifierError('unavailable', 'the sandbox SMS centre is busy');
    const id = randomUUID();
    const now = (this.#options.now ?? Date.now)();
    const record = (status: SandboxSms['status']) => this.#db.prepare('INSERT INTO sms (id, recipient, template, text, at, status) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, message.to, message.template, renderSms(this.#options.signature, message), now, status);
    if (message.to.endsWith('0000')) {
      record('failed');
      throw new NotifierError('invalid_number', 'not a number in service');
    }
    if (message.to.endsWith('4444')) throw new NotifierError('blocked', 'the number refuses messages from this sender');
    if (message.template === 'verification_code') {
      const last = this.#db.prepare("SELECT max(at) AS at FROM sms WHERE recipient = ? AND template = 'verification_code' AND status = 'delivered'").get(message.to) as { at: number | null };
      if (last.at !== null && now - last.at < CODE_INTERVAL_MS) throw new NotifierError('rate_limited', 'one code a minute per number');
    }
    record('delivered');
    return { messageId: id };
  }

  /** The inbox, newest first. */
  inbox(limit = 50): SandboxSms[] {
    const rows = this.#db.prepare('SELECT id, recipient, text, at, status FROM sms ORDER BY at DESC LIMIT ?').all(limit) as { id: string; recipient: string; text: string; at: number; status: SandboxSms['status'] }[];
    return rows.map((r) => ({ id: r.id, to: r.recipient, text: r.text, at: isoFromMs(r.at), status: r.status }));
  }

  close(): void {
    this.#db.close();
  }
}
