import { randomUUID } from 'node:crypto';
import type { RawBuilder } from 'kysely';
import type { DatabaseTarget } from '../../bff/src/config.js';
import type { Envelope } from '../../bff/src/crypto/envelope.js';
import { sealedAs } from '../../bff/src/providers/db/sealed.js';
import { Database } from '../../bff/src/providers/db/database.js';
import { OrdersDb } from '../../bff/src/providers/db/orders.db.js';

/** The rows a query gives, on either engine (what a test reads straight from the tables). */
export async function rows<T>(db: OrdersDb, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(db.db)).rows;
}

/** The first row a query gives, if any. */
export async function row<T>(db: OrdersDb, query: RawBuilder<T>): Promise<T | undefined> {
  return (await rows(db, query))[0];
}

/** The orders' database of a server's data, opened on its own (as a command would). */
export async function openOrders(target: DatabaseTarget): Promise<OrdersDb> {
  return new OrdersDb(await Database.open(target));
}

/**
 * Gives a fresh draft what `source` holds: its photos, what was read (sealed again to the draft) and
 * its live check (the same sealed objects). Many buyers' uploads on two cores would take minutes;
 * a test that races submissions prepares one order through the API and copies it.
 */
export async function copyDraft(db: OrdersDb, envelope: Envelope, source: string, target: string): Promise<void> {
  const from = await db.getOrder(source);
  if (!from?.identity) throw new Error('the source order has no identity');
  const identity = envelope.openJson(from.identity, sealedAs.identity(source));
  await db.setIdentity(target, envelope.sealJson(identity, sealedAs.identity(target)), Date.now());
  for (const evidence of await db.evidenceOf(source)) await db.putEvidence({ ...evidence, order_id: target });
  const live = await db.currentLiveness(source);
  if (!live) throw new Error('the source order has no live check');
  await db.db.insertInto('liveness_challenges').values({ ...live, id: randomUUID(), order_id: target }).execute();
}
