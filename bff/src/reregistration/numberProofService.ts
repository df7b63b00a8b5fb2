import { randomInt, randomUUID } from 'node:crypto';
import { type NumberSession, isoFromMs } from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { hashToken, newToken, tokenEquals } from '../crypto/tokens.js';
import { AppError } from '../errors.js';
import type { NotifierPort } from '../providers/notifier/notifier.port.js';
import { SETTLED_STAGES } from '../domain/reregistration.js';
import type { CampaignsDb } from './campaigns.db.js';
import type { NumberProofsDb } from './numberProofs.db.js';

/** Minutes a code may be entered, wrong tries it takes, the wait before another, and the session it opens. */
const CODE_MINUTES = 5;
const CODE_TRIES = 5;
const RESEND_MS = 60_000;
const SESSION_MINUTES = 30;

export interface NumberProofDeps {
  db: NumberProofsDb;
  campaigns: CampaignsDb;
  notifier: NotifierPort | undefined;
  envelope: Envelope;
  now: () => number;
  log: (level: 'error' | 'info', message: string) => void;
}

const mask = (msisdn: string): string => `${msisdn.slice(0, 3)}****${msisdn.slice(-4)}`;

/**
 * A subscriber proves they hold their number before re-registering it online: a six-digit code sent
 * to it by SMS, good for five minutes and five tries, used once, opening a half-hour session for that
 * number. Any number is answered the same way: whether it is one of ours is not told.
 */
export class NumberProofService {
  readonly #d: NumberProofDeps;

  constructor(deps: NumberProofDeps) {
    this.#d = deps;
  }

  #digest(proofId: string, code: string): string {
    return this.#d.envelope.digest(code, `number-proof:${proofId}`);
  }

  /** Sends a code to `msisdn` (a subscriber's in service; to any other number nothing is sent, and nothing says so). */
  async sendCode(msisdn: string): Promise<{ number: string; codeExpiresAt: string }> {
    const notifier = this.#d.notifier;
    if (!notifier) throw new AppError('notices_off', 'this service sends no text messages: register in one of our stores', 409);
    const now = this.#d.now();
    const before = await this.#d.db.latest(msisdn);
    if (before && now - before.sent_at < RESEND_MS) {
      throw new AppError('rate_limited', `a code was sent less than a minute ago; wait ${Math.ceil((RESEND_MS - (now - before.sent_at)) / 1000)} seconds`, 429, { retryAfterSeconds: Math.ceil((RESEND_MS - (now - before.sent_at)) / 1000) });
    }
    const id = randomUUID();
    const code = String(randomInt(1_000_000)).padStart(6, '0');
    const expiresAt = now + CODE_MINUTES * 60_000;
    await this.#d.db.add({ id, msisdn, code_hash: this.#digest(id, code), sent_at: now, expires_at: expiresAt, attempts: 0, used_at: null });
    const subscriber = await this.#d.campaigns.subscriber(msisdn);
    if (subscriber && subscriber.service !== 'stopped') {
      // Sent after the answer, for every number alike: how long the SMS service takes tells nothing.
      void notifier.send({ to: msisdn, template: 'verification_code', params: { code, minutes: String(CODE_MINUTES) } })
        .catch((error: unknown) => this.#d.log('error', `number proof ${id}: the code was not sent (${(error as Error).message})`));
    }
    return { number: mask(msisdn), codeExpiresAt: isoFromMs(expiresAt) };
  }

  /** The code sent to `msisdn`: right, a session for the number; wrong, a try gone; five wrong, the code gone. */
  async confirm(msisdn: string, code: string): Promise<{ sessionToken: string; session: NumberSession }> {
    const now = this.#d.now();
    const proof = await this.#d.db.latest(msisdn);
    if (!proof || proof.used_at !== null || proof.expires_at <= now || proof.attempts >= CODE_TRIES) {
      throw new AppError('contact_code_expired', 'this code is no longer valid: ask for a new one', 410);
    }
    const subscriber = await this.#d.campaigns.subscriber(msisdn);
    const right = tokenEquals(proof.code_hash, this.#digest(proof.id, code));
    if (!right || !subscriber || subscriber.service === 'stopped') {
      const tries = await this.#d.db.wrongTry(proof.id);
      if (tries >= CODE_TRIES) throw new AppError('contact_code_expired', 'too many wrong codes: ask for a new one', 410);
      throw new AppError('contact_code_wrong', `the code is wrong; ${CODE_TRIES - tries} tries left`, 400);
    }
    const sessionToken = newToken();
    const expiresAt = now + SESSION_MINUTES * 60_000;
    if (!await this.#d.db.use(proof.id, { token_hash: hashToken(sessionToken), msisdn, created_at: now, expires_at: expiresAt })) {
      throw new AppError('contact_code_expired', 'this code was used already: ask for a new one', 410);
    }
    return { sessionToken, session: await this.#view(msisdn, expiresAt) };
  }

  /** The number a session is for, with its campaigns; "no such session" for anything else. */
  async session(token: string | undefined): Promise<NumberSession> {
    const found = await this.#found(token);
    return this.#view(found.msisdn, found.expires_at);
  }

  /** The number a live session proves its holder holds. */
  async numberOf(token: string | undefined): Promise<string> {
    return (await this.#found(token)).msisdn;
  }

  async #found(token: string | undefined): Promise<{ msisdn: string; expires_at: number }> {
    const found = token ? await this.#d.db.session(hashToken(token), this.#d.now()) : undefined;
    if (!found) throw new AppError('not_found', 'no such session: prove the number again', 404);
    return found;
  }

  async #view(msisdn: string, expiresAt: number): Promise<NumberSession> {
    const subscriber = await this.#d.campaigns.subscriber(msisdn);
    const memberships = await this.#d.campaigns.openMemberships(msisdn, SETTLED_STAGES);
    const campaigns = await Promise.all(memberships.map(async (m) => ({ m, c: await this.#d.campaigns.campaign(m.campaign_id) })));
    return {
      number: mask(msisdn),
      registration: subscriber?.registration ?? 'unregistered',
      service: subscriber?.service ?? 'active',
      expiresAt: isoFromMs(expiresAt),
      deadlines: campaigns.flatMap(({ m, c }) => (c ? [{ deadlineAt: isoFromMs(c.deadline_at), stage: m.stage }] : [])),
    };
  }
}
