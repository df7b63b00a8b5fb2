import type { Database } from './database.js';

/** The tables of one area (staff, review, registrations…), on the database the server opened. */
export abstract class Tables {
  protected readonly database: Database;

  constructor(database: Database) {
    this.database = database;
  }

  /** The query builder. */
  protected get db() {
    return this.database.db;
  }
}
