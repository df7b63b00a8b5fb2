import { mkdirSync } from 'node:fs';
import { type Config, loadConfig } from '../config.js';
import { Envelope } from '../crypto/envelope.js';
import { Keyring } from '../crypto/keyring.js';
import type { OrdersDb } from '../providers/db/orders.db.js';
import { createKeySource } from '../providers/keys/index.js';
import type { KeySource } from '../providers/keys/keys.port.js';
import { openOrdersDb } from '../services/keyRotation.js';

export interface Stores {
  config: Config;
  db: OrdersDb;
  keySource: KeySource;
  envelope: Envelope;
}

/** What an operator's command works on: the configuration, the keys and the database of DATA_DIR. */
export async function openStores(env: NodeJS.ProcessEnv = process.env): Promise<Stores> {
  const config = loadConfig(env);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const keySource = createKeySource(config);
  const envelope = new Envelope(new Keyring(await keySource.load()));
  return { config, db: await openOrdersDb(config.database, envelope), keySource, envelope };
}

/** Stops a command with a message and its usage (exit code 2: the command was used wrongly). */
export function usageError(command: string, message: string, usage: string): never {
  process.stderr.write(`${command}: ${message}\n\n${usage}`);
  process.exit(2);
}
