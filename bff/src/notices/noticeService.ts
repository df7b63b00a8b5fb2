import { randomInt } from 'node:crypto';
import type { ContactView, OrderState } from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { tokenEquals } from '../crypto/tokens.js';
import { AppError } from '../errors.js';
import type { OrderRow } from '../providers/db/orders.db.js';
import { sealedAs } from '../providers/db/sealed.js';
import { NotifierError, type NotifierPort } from '../providers/notifier/notifier.port.js';
import type { NoticeRow, NoticesDb } from './notices.db.js';

interface NoticeServiceDeps {
  db: NoticesDb;
  /** Undefined: notices are off (NOTIFIER=off). */
  notifier: NotifierPort | undefined;
  envelope: Envelope;
  now: () => number;
  log: (level: 'error' | 'info', message: string) => void;
  /** How long a process has a notice it took (longer than one send may take). */
  claimMs: number;
}

/** Minutes a confirmation code may be entered, wrong codes it takes, and the wait before another is sent. */
const CODE_MINUTES = 5;
const CODE_ATTEMPTS = 5;
const RESEND_MS = 60_000;
/** Waits before a notice is sent again, by attempts made; after the last it is given up. */
const RETRY_DELAYS_MS = [5000, 30_000, 120_000, 600_000, 1_800_000];
/** States in which nothing more will happen to an order: no number is taken for notices then. */
const FINAL: readonly OrderState[] = ['rejected', 'returned', 'expired', 'withdrawn', 'activated'];

const mask = (mobile: string): string => `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;

/**
 * The buyer hears back: a mobile number left on the order, confirmed by a code sent to it, then an
 * SMS when the order is decided, goes to review, ships, is activated or comes back. The messages name
 * the order by a short reference and its new state; nothing of the buyer's identity.
 */
export class NoticeService {
  readonly #d: NoticeServiceDeps;
  #running: Promise<void> | undefined;

  constructor(deps: NoticeServiceDeps) {
    this.#d = deps;
  }

  get enabled(): boolean {
    return this.#d.notifier !== undefined;
  }

  #notifier(): NotifierPort {
    if (!this.#d.notifier) throw new AppError('notices_off', 'this service sends no text messages', 409);
    return this.#d.notifier;
  }

  #codeDigest(orderId: string, code: string): string {
    return this.#d.envelope.digest(code, `contact-code:${orderId}`);
  }

  async view(row: OrderRow): Promise<ContactView | undefined> {
    const contact = await this.#d.db.contact(row.id);
    if (!contact) return undefined;
    const mobile = this.#d.envelope.openJson(contact.mobile, sealedAs.contactMobile(row.id)) as string;
    const pending = contact.confirmed_at === null && contact.code_expires_at !== null;
    return { mobile: mask(mobile), confirmed: contact.confirmed_at !== null, ...(pending ? { codeExpiresAt: new Date(Number(contact.code_expires_at)).toISOString() } : {}) };
  }

  /** Sends a confirmation code to `mobile`; the number is kept (sealed) only once the code went out. */
  async requestCode(row: OrderRow, mobile: string): Promise<ContactView> {
    const notifier = this.#notifier();
    if (FINAL.includes(row.state)) throw new AppError('order_closed', `the order is ${row.state}: there is nothing more to tell`, 409);
    const now = this.#d.now();
    const before = await this.#d.db.contact(row.id);
    if (before && now - Number(before.code_sent_at) < RESEND_MS) {
      throw new AppError('rate_limited', `a code was sent less than a minute ago; wait ${Math.ceil((RESEND_MS - (now - Number(before.code_sent_at))) / 1000)} seconds`, 429);
    }
    const code = String(randomInt(1_000_000)).padStart(6, '0');
    try {
      await notifier.send({ to: mobile, template: 'verification_code', params: { code, minutes: String(CODE_MINUTES) } });
    } catch (error) {
      if (error instanceof NotifierError && !error.retryable) throw new AppError('contact_invalid', 'this number cannot receive our messages: check it, or use another', 400);
      if (error instanceof NotifierError) throw new AppError('overloaded', 'the text message service is busy: try again in a minute', 503);
      throw error;
    }
    await this.#d.db.putContact({
      order_id: row.id, mobile: this.#d.envelope.sealJson(mobile, sealedAs.contactMobile(row.id)), code_hash: this.#codeDigest(row.id, code),
      code_expires_at: now + CODE_MINUTES * 60_000, code_sent_at: now,
    });
    return { mobile: mask(mobile), confirmed: false, codeExpiresAt: new Date(now + CODE_MINUTES * 60_000).toISOString() };
  }

  async confirm(row: OrderRow, code: string): Promise<ContactView> {
    const contact = await this.#d.db.contact(row.id);
    if (!contact) throw new AppError('not_found', 'leave a number first', 404);
    if (contact.confirmed_at === null) {
      if (contact.code_hash === null || Number(contact.code_expires_at) < this.#d.now() || contact.code_attempts >= CODE_ATTEMPTS) {
        throw new AppError('contact_code_expired', 'this code is no longer valid: ask for a new one', 410);
      }
      if (!tokenEquals(contact.code_hash, this.#codeDigest(row.id, code))) {
        const attempts = await this.#d.db.countWrongCode(row.id);
        if (attempts >= CODE_ATTEMPTS) throw new AppError('contact_code_expired', 'too many wrong codes: ask for a new one', 410);
        throw new AppError('contact_code_wrong', `the code is wrong; ${CODE_ATTEMPTS - attempts} tries left`, 400);
      }
      await this.#d.db.confirm(row.id, this.#d.now());
    }
    const view = await this.view(row);
    if (!view) throw new AppError('not_found', 'leave a number first', 404);
    return view;
  }

  /** The buyer takes their number back: no more messages, nothing kept. */
  async remove(row: OrderRow): Promise<void> {
    await this.#d.db.deleteContact(row.id);
  }

  /** Sends the notices that are due; one run at a time. */
  runDue(): Promise<void> {
    if (!this.#d.notifier) return Promise.resolve();
    this.#running ??= this.#sendDue().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sendDue(): Promise<void> {
    const now = this.#d.now();
    for (const notice of await this.#d.db.claimDue(now, now + this.#d.claimMs)) await this.#send(notice);
  }

  async #send(notice: NoticeRow): Promise<void> {
    const contact = await this.#d.db.contact(notice.order_id);
    if (!contact?.confirmed_at) {
      await this.#d.db.record(notice.id, { sent: false, error: 'no confirmed number', nextAt: null }, this.#d.now());
      return;
    }
    const to = this.#d.envelope.openJson(contact.mobile, sealedAs.contactMobile(notice.order_id)) as string;
    try {
      await this.#notifier().send({ to, template: 'order_update', params: { ref: notice.order_id.slice(0, 8), event: notice.event } });
      await this.#d.db.record(notice.id, { sent: true, error: null, nextAt: null }, this.#d.now());
    } catch (error) {
      const code = error instanceof NotifierError ? error.code : error instanceof Error ? error.name : 'error';
      const delay = error instanceof NotifierError && !error.retryable ? undefined : RETRY_DELAYS_MS[Number(notice.attempts)];
      await this.#d.db.record(notice.id, { sent: false, error: code, nextAt: delay === undefined ? null : this.#d.now() + delay }, this.#d.now());
      if (delay === undefined) this.#d.log('error', `notice ${notice.id} of order ${notice.order_id} given up: ${code}`);
    }
  }
}
