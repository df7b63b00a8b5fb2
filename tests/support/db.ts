import type { RawBuilder } from 'kysely';
import type { DatabaseTarget } from '../../bff/src/config.js';
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
