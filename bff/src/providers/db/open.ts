import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Opens (or creates) a SQLite file readable by its owner only, whatever the umask: the file is made
 * 0600 before SQLite opens it, and SQLite gives its WAL and shared-memory files the mode of the
 * database file. WAL journal, foreign keys, and a wait when another process holds the lock.
 */
export function openDatabase(file: string): Database.Database {
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
