import { changed } from '../providers/db/database.js';
import { Tables } from '../providers/db/tables.js';

/** A code sent to a number: its keyed digest only. */
export interface NumberProofRow {
  id: string;
  msisdn: string;
  code_hash: string;
  sent_at: number;
  expires_at: number;
  attempts: number;
  used_at: number | null;
}

/** Codes that prove a number is held, and the sessions they open. */
export class NumberProofsDb extends Tables {
  /** The latest code sent to a number. */
  async latest(msisdn: string): Promise<NumberProofRow | undefined> {
    return this.db.selectFrom('number_proofs').selectAll().where('msisdn', '=', msisdn).orderBy('sent_at', 'desc').limit(1).executeTakeFirst();
  }

  async add(row: NumberProofRow): Promise<void> {
    await this.db.insertInto('number_proofs').values(row).execute();
  }

  /** Counts a wrong try at a code; returns the tries made so far. */
  async wrongTry(id: string): Promise<number> {
    await this.db.updateTable('number_proofs').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
    return (await this.db.selectFrom('number_proofs').select('attempts').where('id', '=', id).executeTakeFirst())?.attempts ?? 0;
  }

  /** Uses a code and opens a session for its number, at once; false if the code was used meanwhile. */
  async use(id: string, session: { token_hash: string; msisdn: string; created_at: number; expires_at: number }): Promise<boolean> {
    return this.database.transaction(this.db, async (trx) => {
      const used = changed(await trx.updateTable('number_proofs').set({ used_at: session.created_at }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst()) === 1;
      if (used) await trx.insertInto('number_sessions').values(session).execute();
      return used;
    });
  }

  async session(tokenHash: string, now: number): Promise<{ msisdn: string; expires_at: number } | undefined> {
    return this.db.selectFrom('number_sessions').select(['msisdn', 'expires_at']).where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
  }

  /** Forgets codes and sessions that ran out before `before`. */
  async prune(before: number): Promise<void> {
    await this.db.deleteFrom('number_proofs').where('expires_at', '<', before).execute();
    await this.db.deleteFrom('number_sessions').where('expires_at', '<', before).execute();
  }
}
