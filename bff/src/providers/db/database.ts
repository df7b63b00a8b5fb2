import { closeSync, openSync, chmodSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, Kysely, Migrator, PostgresDialect, SqliteDialect, SqliteDriver, type Transaction, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../../config.js';
import { type Engine, migrations } from './migrations.js';
import type { Schema } from './schema.js';

/** A query runs on the database, or inside a transaction already open. */
export type Queries = Kysely<Schema> | Transaction<Schema>;


/**
 * The orders' database, on either engine, through one query builder. Rules that concern more than
 * one row are enforced by the database itself (conditional updates, unique keys, locks taken in a
 * transaction), never by one process's memory, so any number of processes can share it.
 */
export class Database {
  readonly engine: Engine;
  readonly db: Kysely<Schema>;

  private constructor(engine: Engine, db: Kysely<Schema>) {
    this.engine = engine;
    this.db = db;
  }

  /** Opens the database and brings its schema up to date (processes starting together take turns). */
  static async open(target: DatabaseTarget): Promise<Database> {
    const database = new Database(target.engine, new Kysely<Schema>({ dialect: target.engine === 'sqlite' ? sqliteDialect(target.file) : postgresDialect(target) }));
    try {
      await database.migrate();
      return database;
    } catch (error) {
      await database.close();
      throw error;
    }
  }

  private async migrate(): Promise<void> {
    const all = migrations(this.engine);
    const migrator = new Migrator({ db: this.db, provider: { getMigrations: () => Promise.resolve(all) } });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const reason = error instanceof Error ? error.message : 'unknown error';
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      // No migration tried: the database did not answer at all (address, credentials, server down).
      if (!failed) throw new Error(`cannot open the ${this.engine === 'postgres' ? 'PostgreSQL database (DATABASE_URL)' : 'SQLite file'}: ${reason}`);
      throw new Error(`the database schema could not be brought up to date (${failed}): ${reason}`);
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /**
   * Runs `work` in a transaction, or in the caller's when `q` is one already: a step that is part of
   * a larger change commits or fails with it.
   */
  async transaction<T>(q: Queries, work: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
    if (q.isTransaction) return work(q as Transaction<Schema>);
    return q.transaction().execute(work);
  }

  /**
   * Makes the transaction the only one working on `key` until it ends (PostgreSQL: an advisory lock
   * on the key's hash). A count and the write it permits (the cards of one holder, the holds of one
   * client) then cannot interleave with another process's. SQLite needs none: its transactions take
   * the write lock when they begin.
   */
  async lock(trx: Transaction<Schema>, key: string): Promise<void> {
    if (this.engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
  }
}

/** Rows a write changed, as a number on either engine. */
export const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint; numInsertedOrUpdatedRows?: bigint; numAffectedRows?: bigint } | undefined): number =>
  Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? result?.numInsertedOrUpdatedRows ?? result?.numAffectedRows ?? 0n);

/** A count, as a number on either engine (PostgreSQL counts are bigint). */
export const counted = (row: { n: number | string | bigint } | undefined): number => Number(row?.n ?? 0);

/**
 * SQLite: a file readable by its owner only, whatever the umask (made 0600 before SQLite opens it;
 * SQLite gives its WAL and shared-memory files the mode of the database file), WAL journal, foreign
 * keys, a wait when another process holds the lock, and transactions that take the write lock when
 * they begin (two read-then-write transactions never deadlock on the upgrade).
 */
export function openSqliteFile(file: string): BetterSqlite3.Database {
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];

  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }

  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

function sqliteDialect(file: string): SqliteDialect {
  return new ImmediateSqliteDialect({ database: openSqliteFile(file) });
}

/** int8 (counts, times in milliseconds) as numbers: every time and count here fits in 2^53. */
const INT8 = 20;
const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown => (oid === INT8 ? (v: string): number => Number(v) : pg.types.getTypeParser(oid, format ?? 'text') as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

function postgresDialect(target: { url: string; poolSize?: number }): PostgresDialect {
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10, types: PG_TYPES }) });
}
