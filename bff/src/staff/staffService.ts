import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import {
  type CreateStaffRequest, type Enrolment, type StaffAccount, type StaffCredentials, type StaffPermission, type StaffRole,
  type UpdateStaffRequest, STAFF_PERMISSION_NAMES, rolesGrant,
} from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { hashToken, newToken } from '../crypto/tokens.js';
import { AppError } from '../errors.js';
import { sealedAs } from '../providers/db/sealed.js';
import { decoyHash, hashPassword, oneTimePassword, verifyPassword } from './passwords.js';
import type { StaffAccountRow, StaffDb } from './staff.db.js';

export interface StaffSettings {
  /** A session nobody used for this long ends. */
  idleMinutes: number;
  /** And every session ends this long after sign-in. */
  sessionHours: number;
  /** Failed sign-ins an account takes before it is locked; each one more doubles the lock. */
  lockAfter: number;
  lockMinutes: number;
  /** The issuer an authenticator app shows beside the account. */
  issuer: string;
}

/** A signed-in person, as the routes see them. */
export interface StaffMember {
  id: string;
  username: string;
  name: string;
  roles: StaffRole[];
  /** The session's token (from the cookie), for signing out. */
  token: string;
}

interface StaffServiceDeps {
  db: StaffDb;
  envelope: Envelope;
  settings: StaffSettings;
  now: () => number;
}

const ENROLMENT_MS = 10 * 60_000;
const MAX_LOCK_MS = 60 * 60_000;
/** Seen-at is written at most this often per session: idle time is known to within it. */
const TOUCH_MS = 15_000;
const TOTP_PERIOD_S = 30;

const rolesOf = (row: Pick<StaffAccountRow, 'roles'>): StaffRole[] => JSON.parse(row.roles) as StaffRole[];

function accountView(row: StaffAccountRow): StaffAccount {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    roles: rolesOf(row),
    status: row.disabled_at !== null ? 'disabled' : row.one_time ? 'enrolling' : 'active',
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/**
 * The operator's staff: accounts an administrator makes (the first one by `npm run staff`), each
 * signed in with a password and a code from an authenticator app, into a session that ends when idle.
 * Every change a person makes is recorded with their name.
 */
export class StaffService {
  readonly #d: StaffServiceDeps;

  constructor(deps: StaffServiceDeps) {
    this.#d = deps;
  }

  get settings(): StaffSettings {
    return this.#d.settings;
  }

  /** A new account with a one-time password, to be handed to the person (shown once). */
  async add(request: CreateStaffRequest, actor: string): Promise<StaffCredentials> {
    const password = oneTimePassword();
    const now = this.#d.now();
    const row: StaffAccountRow = {
      id: randomUUID(),
      username: request.username,
      name: request.name,
      roles: JSON.stringify([...new Set(request.roles)]),
      password_hash: await hashPassword(password),
      one_time: 1,
      totp_secret: null,
      totp_last_step: null,
      failures: 0,
      locked_until: null,
      disabled_at: null,
      created_at: now,
      created_by: actor,
      updated_at: now,
    };
    if (!await this.#d.db.insertAccount(row)) throw new AppError('staff_exists', `there is an account named ${request.username} already`, 409);
    await this.record(actor, 'staff.add', `${row.username} (${rolesOf(row).join(', ')})`);
    return { account: accountView(row), oneTimePassword: password };
  }

  async list(): Promise<StaffAccount[]> {
    return (await this.#d.db.accounts()).map(accountView);
  }

  /** Changes roles or disables an account; the last administrator stays one, and nobody locks themselves out. */
  async update(id: string, request: UpdateStaffRequest, actor: StaffMember): Promise<StaffAccount> {
    const row = await this.#existing(id);
    const roles = request.roles ? [...new Set(request.roles)] : rolesOf(row);
    const disabled = request.disabled ?? row.disabled_at !== null;
    const losesAdmin = rolesOf(row).includes('administrator') && row.disabled_at === null && (disabled || !roles.includes('administrator'));
    if (losesAdmin && id === actor.id) throw new AppError('forbidden', 'you cannot remove your own administrator role or disable yourself', 403);
    if (losesAdmin && await this.#d.db.countAdministrators() <= 1) throw new AppError('forbidden', 'the last administrator must stay one', 403);
    const now = this.#d.now();
    await this.#d.db.updateAccount(id, { roles: JSON.stringify(roles), disabled_at: disabled ? (row.disabled_at ?? now) : null, updated_at: now });
    // What a person may do changed: their sessions end, and the next one has the new roles.
    await this.#d.db.deleteSessionsOf(id);
    const changes = [
      ...(request.roles ? [`roles ${roles.join(', ')}`] : []),
      ...(request.disabled !== undefined ? [disabled ? 'disabled' : 'enabled'] : []),
    ];
    await this.record(actor.username, 'staff.update', `${row.username}: ${changes.join('; ')}`);
    return accountView(await this.#existing(id));
  }

  /** A new one-time password; the authenticator is enrolled again, every session ends, a lock is lifted. */
  async reset(id: string, actor: StaffMember): Promise<StaffCredentials> {
    const row = await this.#existing(id);
    const password = oneTimePassword();
    await this.#d.db.updateAccount(id, {
      password_hash: await hashPassword(password), one_time: 1, totp_secret: null, totp_last_step: null,
      failures: 0, locked_until: null, updated_at: this.#d.now(),
    });
    await this.#d.db.deleteSessionsOf(id);
    await this.record(actor.username, 'staff.reset', row.username);
    return { account: accountView(await this.#existing(id)), oneTimePassword: password };
  }

  /**
   * First sign-in with the one-time password: a new authenticator secret, good for ten minutes, and a
   * ticket to finish with (a new password and the first code).
   */
  async startEnrolment(username: string, password: string): Promise<Enrolment> {
    const row = await this.#checkPassword(username, password);
    if (!row.one_time) throw new AppError('sign_in_failed', 'the username, password or code is wrong', 401);
    const secret = new Secret({ size: 20 });
    const ticket = newToken();
    const ticketHash = hashToken(ticket);
    await this.#d.db.insertEnrolment({
      ticket_hash: ticketHash, staff_id: row.id,
      secret: this.#d.envelope.sealJson(secret.base32, sealedAs.enrolmentTotp(ticketHash)), expires_at: this.#d.now() + ENROLMENT_MS,
    });
    return { ticket, secret: secret.base32, otpauthUri: this.#totp(row.username, secret.base32).toString() };
  }

  /** Ends the enrolment: the person's own password, and the authenticator proven by its first code. */
  async finishEnrolment(ticket: string, newPassword: string, code: string): Promise<StaffMember> {
    const ticketHash = hashToken(ticket);
    const ended = new AppError('sign_in_failed', 'the enrolment has ended; sign in with the one-time password again', 401);
    const pending = await this.#d.db.enrolment(ticketHash);
    if (!pending || pending.expires_at < this.#d.now()) throw ended;
    const row = await this.#existing(pending.staff_id);
    if (row.disabled_at !== null || !row.one_time) throw ended;
    // A password refused leaves the enrolment open: the person tries another.
    if (newPassword.toLowerCase().includes(row.username)) throw new AppError('validation_failed', 'the password must not contain the username', 400);
    const secret = this.#d.envelope.openJson(pending.secret, sealedAs.enrolmentTotp(ticketHash)) as string;
    const step = this.#validCode(row.username, secret, code);
    // A wrong code ends it (it counts as a failed sign-in): guessing codes needs the one-time password each time.
    if (!await this.#d.db.takeEnrolment(ticketHash)) throw ended;
    if (step === undefined) {
      await this.#fail(row);
      throw new AppError('sign_in_failed', 'the code is wrong; sign in with the one-time password again', 401);
    }
    await this.#d.db.updateAccount(row.id, {
      password_hash: await hashPassword(newPassword), one_time: 0,
      totp_secret: this.#d.envelope.sealJson(secret, sealedAs.staffTotp(row.id)), totp_last_step: step,
      failures: 0, locked_until: null, updated_at: this.#d.now(),
    });
    await this.record(row.username, 'staff.enrol', row.username);
    return this.#newSession(row);
  }

  /** Password and a fresh code from the authenticator: a session. Every failure counts against the account. */
  async signIn(username: string, password: string, code: string): Promise<StaffMember> {
    const row = await this.#checkPassword(username, password);
    if (row.one_time) throw new AppError('enrolment_required', 'first sign-in: set your own password and authenticator', 403);
    const secret = row.totp_secret ? this.#d.envelope.openJson(row.totp_secret, sealedAs.staffTotp(row.id)) as string : undefined;
    const step = secret ? this.#validCode(row.username, secret, code) : undefined;
    if (step === undefined || !await this.#d.db.useTotpStep(row.id, step, this.#d.now())) {
      await this.#fail(row);
      throw new AppError('sign_in_failed', 'the username, password or code is wrong', 401);
    }
    await this.record(row.username, 'staff.sign_in', null);
    return this.#newSession(row);
  }

  /**
   * The person a session cookie belongs to; ended, idle or disabled: 401. A `passive` read (a page
   * refreshing itself) does not count as activity.
   */
  async session(token: string | undefined, { passive = false } = {}): Promise<StaffMember> {
    const expired = new AppError('session_expired', 'sign in to the console', 401);
    if (!token) throw expired;
    const tokenHash = hashToken(token);
    const session = await this.#d.db.session(tokenHash);
    const now = this.#d.now();
    if (!session) throw expired;
    if (session.expires_at <= now || session.seen_at + this.#d.settings.idleMinutes * 60_000 <= now) {
      await this.#d.db.deleteSession(tokenHash);
      throw expired;
    }
    const row = await this.#d.db.account(session.staff_id);
    if (!row || row.disabled_at !== null) throw expired;
    if (!passive && now - session.seen_at >= TOUCH_MS) await this.#d.db.touchSession(tokenHash, now);
    return { id: row.id, username: row.username, name: row.name, roles: rolesOf(row), token };
  }

  /** The CSRF token of a session: derived from it, so that it needs no storage and dies with it. */
  csrfToken(member: Pick<StaffMember, 'token'>): string {
    return this.#d.envelope.digest(hashToken(member.token), 'staff-csrf');
  }

  permissions(member: Pick<StaffMember, 'roles'>): StaffPermission[] {
    return STAFF_PERMISSION_NAMES.filter((p) => rolesGrant(member.roles, p));
  }

  async signOut(member: StaffMember): Promise<void> {
    await this.#d.db.deleteSession(hashToken(member.token));
    await this.record(member.username, 'staff.sign_out', null);
  }

  /** Records what a person did (never identity data: a target is an id, a name of staff or agent). */
  async record(staff: string, action: string, target: string | null): Promise<void> {
    await this.#d.db.recordAction({ at: this.#d.now(), staff, action, target });
  }

  async actions(limit = 100, before?: number): Promise<{ id: number; at: number; staff: string; action: string; target: string | null }[]> {
    return this.#d.db.actions(limit, before);
  }

  async prune(): Promise<number> {
    const now = this.#d.now();
    return this.#d.db.pruneSessions(now - this.#d.settings.idleMinutes * 60_000, now);
  }

  async #existing(id: string): Promise<StaffAccountRow> {
    const row = await this.#d.db.account(id);
    if (!row) throw new AppError('not_found', 'no such staff account', 404);
    return row;
  }

  /** The account whose password this is; anything else answers alike, and as slowly. */
  async #checkPassword(username: string, password: string): Promise<StaffAccountRow> {
    const row = await this.#d.db.accountByName(username);
    const now = this.#d.now();
    if (row?.locked_until && row.locked_until > now) {
      throw new AppError('account_locked', 'too many failed sign-ins: try again later, or ask an administrator to reset the account', 423, {
        retryAfterSeconds: Math.ceil((row.locked_until - now) / 1000),
      });
    }
    const matches = await verifyPassword(password, row?.password_hash ?? await decoyHash());
    if (!row || row.disabled_at !== null || !matches) {
      if (row && row.disabled_at === null) await this.#fail(row);
      throw new AppError('sign_in_failed', 'the username, password or code is wrong', 401);
    }
    return row;
  }

  async #fail(row: StaffAccountRow): Promise<void> {
    const { lockAfter, lockMinutes } = this.#d.settings;
    const failures = await this.#d.db.countFailure(row.id, this.#d.now(), lockAfter, (n) => Math.min(MAX_LOCK_MS, lockMinutes * 60_000 * 2 ** (n - lockAfter)));
    if (failures === lockAfter) await this.record('system', 'staff.locked', row.username);
  }

  #totp(username: string, secret: string): TOTP {
    return new TOTP({ issuer: this.#d.settings.issuer, label: username, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_S, secret: Secret.fromBase32(secret) });
  }

  /** The time step of a code the authenticator shows now (or one step either side), or undefined. */
  #validCode(username: string, secret: string, code: string): number | undefined {
    const timestamp = this.#d.now();
    const delta = this.#totp(username, secret).validate({ token: code, timestamp, window: 1 });
    return delta === null ? undefined : Math.floor(timestamp / 1000 / TOTP_PERIOD_S) + delta;
  }

  async #newSession(row: StaffAccountRow): Promise<StaffMember> {
    const token = newToken();
    const now = this.#d.now();
    await this.#d.db.insertSession({ token_hash: hashToken(token), staff_id: row.id, created_at: now, seen_at: now, expires_at: now + this.#d.settings.sessionHours * 3_600_000 });
    return { id: row.id, username: row.username, name: row.name, roles: rolesOf(row), token };
  }
}
