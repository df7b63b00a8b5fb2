import type { StaffRole } from '@shared';
import { changed } from '../providers/db/database.js';
import { Tables } from '../providers/db/tables.js';

export interface StaffAccountRow {
  id: string;
  username: string;
  name: string;
  /** JSON array of roles. */
  roles: string;
  /** scrypt, with its parameters and salt (see passwords.ts). */
  password_hash: string;
  /** 1 while the password is the one-time one an administrator handed out (no authenticator yet). */
  one_time: number;
  /** Sealed base32 TOTP secret; null until enrolled. */
  totp_secret: Buffer | null;
  /** The last TOTP time step accepted: a code is good once. */
  totp_last_step: number | null;
  /** Failed sign-ins since the last good one. */
  failures: number;
  locked_until: number | null;
  disabled_at: number | null;
  created_at: number;
  created_by: string;
  updated_at: number;
}

export interface StaffSessionRow {
  token_hash: string;
  staff_id: string;
  created_at: number;
  seen_at: number;
  expires_at: number;
}

/** Staff accounts, sessions, enrolments and the log of staff actions, in the orders' database. */
export class StaffDb extends Tables {
  async insertAccount(row: StaffAccountRow): Promise<boolean> {
    const inserted = await this.db.insertInto('staff_accounts').values(row).onConflict((oc) => oc.column('username').doNothing()).executeTakeFirst();
    return changed(inserted) === 1;
  }

  async account(id: string): Promise<StaffAccountRow | undefined> {
    return this.db.selectFrom('staff_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async accountByName(username: string): Promise<StaffAccountRow | undefined> {
    return this.db.selectFrom('staff_accounts').selectAll().where('username', '=', username).executeTakeFirst();
  }

  async accounts(): Promise<StaffAccountRow[]> {
    return this.db.selectFrom('staff_accounts').selectAll().orderBy('username').execute();
  }

  async countAdministrators(): Promise<number> {
    const rows = await this.db.selectFrom('staff_accounts').select('roles').where('disabled_at', 'is', null).execute();
    return rows.filter((r) => (JSON.parse(r.roles) as StaffRole[]).includes('administrator')).length;
  }

  async updateAccount(id: string, values: Partial<Omit<StaffAccountRow, 'id' | 'username' | 'created_at' | 'created_by'>>): Promise<void> {
    await this.db.updateTable('staff_accounts').set(values).where('id', '=', id).execute();
  }

  /**
   * Counts a failed sign-in and, from `lockAfter` failures on, locks the account for a time that
   * doubles with each further failure. Atomic: racing failures all count.
   */
  async countFailure(id: string, now: number, lockAfter: number, lockMs: (failures: number) => number): Promise<number> {
    return this.database.transaction(this.db, async (trx) => {
      await this.database.lock(trx, `staff:${id}`);
      const row = await trx.updateTable('staff_accounts').set((eb) => ({ failures: eb('failures', '+', 1) }))
        .where('id', '=', id).returning('failures').executeTakeFirstOrThrow();
      if (row.failures >= lockAfter) await trx.updateTable('staff_accounts').set({ locked_until: now + lockMs(row.failures) }).where('id', '=', id).execute();
      return row.failures;
    });
  }

  /** Accepts a TOTP step for an account once: false when it (or a later one) was used already. */
  async useTotpStep(id: string, step: number, now: number): Promise<boolean> {
    const result = await this.db.updateTable('staff_accounts')
      .set({ totp_last_step: step, failures: 0, locked_until: null, updated_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return changed(result) === 1;
  }

  async insertSession(row: StaffSessionRow): Promise<void> {
    await this.db.insertInto('staff_sessions').values(row).execute();
  }

  async session(tokenHash: string): Promise<StaffSessionRow | undefined> {
    return this.db.selectFrom('staff_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  async touchSession(tokenHash: string, now: number): Promise<void> {
    await this.db.updateTable('staff_sessions').set({ seen_at: now }).where('token_hash', '=', tokenHash).execute();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('staff_sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Ends every session of an account (disabled, reset, roles changed). */
  async deleteSessionsOf(staffId: string): Promise<number> {
    return changed(await this.db.deleteFrom('staff_sessions').where('staff_id', '=', staffId).executeTakeFirst());
  }

  async pruneSessions(idleBefore: number, now: number): Promise<number> {
    const result = await this.db.deleteFrom('staff_sessions')
      .where((eb) => eb.or([eb('seen_at', '<', idleBefore), eb('expires_at', '<', now)])).executeTakeFirst();
    const enrolments = await this.db.deleteFrom('staff_enrolments').where('expires_at', '<', now).executeTakeFirst();
    return changed(result) + changed(enrolments);
  }

  async insertEnrolment(row: { ticket_hash: string; staff_id: string; secret: Buffer; expires_at: number }): Promise<void> {
    await this.db.deleteFrom('staff_enrolments').where('staff_id', '=', row.staff_id).execute();
    await this.db.insertInto('staff_enrolments').values(row).execute();
  }

  async enrolment(ticketHash: string): Promise<{ staff_id: string; secret: Buffer; expires_at: number } | undefined> {
    return this.db.selectFrom('staff_enrolments').select(['staff_id', 'secret', 'expires_at']).where('ticket_hash', '=', ticketHash).executeTakeFirst();
  }

  /** Takes a pending enrolment (once: the row goes as it is read). */
  async takeEnrolment(ticketHash: string): Promise<{ staff_id: string; secret: Buffer; expires_at: number } | undefined> {
    return this.db.deleteFrom('staff_enrolments').where('ticket_hash', '=', ticketHash).returning(['staff_id', 'secret', 'expires_at']).executeTakeFirst();
  }

  async recordAction(entry: { at: number; staff: string; action: string; target: string | null }): Promise<void> {
    await this.db.insertInto('staff_actions').values(entry).execute();
  }

  async actions(limit: number, before?: number): Promise<{ id: number; at: number; staff: string; action: string; target: string | null }[]> {
    let query = this.db.selectFrom('staff_actions').selectAll().orderBy('id', 'desc').limit(limit);
    if (before !== undefined) query = query.where('id', '<', before);
    return query.execute();
  }
}
