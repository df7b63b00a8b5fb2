import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '../crypto/envelope.js';
import { Keyring, type KeyringData, activateStagedKey, finishRotation, retireKeys, stageEvidenceKey } from '../crypto/keyring.js';
import { sealedAs } from '../providers/db/sealed.js';
import type { DatabaseTarget } from '../config.js';
import { Database } from '../providers/db/database.js';
import { OrdersDb } from '../providers/db/orders.db.js';
import type { KeySource } from '../providers/keys/keys.port.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';

export interface RotationDeps {
  keySource: KeySource;
  envelope: Envelope;
  db: OrdersDb;
  storage: EvidenceStorage;
  /** How long running servers take to read the keyring again (twice their reload interval). */
  settleMs: number;
  say: (line: string) => void;
  now?: () => Date;
}

export interface RotationReport {
  activeKey: string;
  objects: { seen: number; rewrapped: number };
  fields: { seen: number; rewrapped: number };
}

/**
 * Rotates the evidence key while the servers run, in steps that survive being stopped: a new key is
 * staged (every process learns it before anything is sealed with it), made active, then every object
 * and sealed field is re-wrapped under it (the data keys only: no ciphertext changes). Run again, it
 * continues where it stopped. The digest root is not touched: no count, mark or digest changes.
 */
export async function rotateEvidenceKey(d: RotationDeps): Promise<RotationReport> {
  let data = await d.keySource.load();
  if (!data.rotation) {
    data = stageEvidenceKey(data, d.now?.() ?? new Date());
    await d.keySource.save(data);
    d.say(`staged the new key ${data.rotation?.to}; waiting ${Math.ceil(d.settleMs / 1000)} s for the running servers to learn it`);
    await sleep(d.settleMs);
  }
  if (data.rotation?.stage === 'staged') {
    data = activateStagedKey(data);
    await d.keySource.save(data);
    d.say(`the key ${data.evidence.active} seals new objects; waiting ${Math.ceil(d.settleMs / 1000)} s for the running servers to use it`);
    await sleep(d.settleMs);
  }
  d.envelope.useKeyring(new Keyring(data));
  d.say('re-wrapping stored objects and sealed fields');
  const report = await rewrapAll(d);
  data = finishRotation(data);
  await d.keySource.save(data);
  d.say(`done: ${report.objects.rewrapped} of ${report.objects.seen} objects and ${report.fields.rewrapped} of ${report.fields.seen} fields re-wrapped under ${data.evidence.active}`);
  return { activeKey: data.evidence.active, ...report };
}

/** Re-wraps everything not yet under the active key (idempotent: the rest is left as it is). */
export async function rewrapAll(d: Pick<RotationDeps, 'envelope' | 'db' | 'storage'>): Promise<Omit<RotationReport, 'activeKey'>> {
  const objects = { seen: 0, rewrapped: 0 };
  for await (const id of d.storage.list()) {
    objects.seen += 1;
    if (await d.storage.rewrap(id, (sealed) => d.envelope.rewrap(sealed, id))) objects.rewrapped += 1;
  }
  const fields = await d.db.rewrapSealed((sealed, aad) => d.envelope.rewrap(sealed, aad));
  return { objects, fields };
}

/** The evidence keys that still seal something, and how many things each seals. */
export async function keysInUse(d: Pick<RotationDeps, 'envelope' | 'db' | 'storage'>): Promise<Map<string, number>> {
  const used = new Map<string, number>();
  const count = (sealed: Buffer): undefined => {
    const id = d.envelope.keyIdOf(sealed);
    used.set(id, (used.get(id) ?? 0) + 1);
    return undefined;
  };
  for await (const id of d.storage.list()) await d.storage.rewrap(id, count);
  await d.db.rewrapSealed((sealed) => count(sealed));
  return used;
}

/** Drops the evidence keys nothing is sealed under any more; says which stay and why. */
export async function retireUnusedKeys(d: Pick<RotationDeps, 'keySource' | 'envelope' | 'db' | 'storage' | 'say'>): Promise<KeyringData> {
  const data = await d.keySource.load();
  if (data.rotation) throw new Error('a rotation is not finished: run `npm run rotate-key` to finish it first');
  const used = await keysInUse(d);
  const unused = Object.keys(data.evidence.keys).filter((id) => id !== data.evidence.active && !used.has(id));
  for (const [id, n] of used) if (id !== data.evidence.active) d.say(`key ${id} still seals ${n} object(s): run \`npm run rotate-key\` to re-wrap them`);
  const next = retireKeys(data, unused);
  if (unused.length > 0) await d.keySource.save(next);
  d.say(unused.length > 0 ? `retired ${unused.join(', ')}` : 'no key to retire');
  return next;
}

/** The keyring does not fit the data: starting would seal beside what it cannot open, and count afresh. */
export class KeyringMismatchError extends Error {}

const CHECK = 'keyring check';

/**
 * Makes sure the keyring is the one the data was made under; the first start records what it looks
 * like. Another keyring (a fresh one, another installation's, a digest root changed by hand) is
 * refused: its evidence keys would not open the data, and its digest root would start every
 * five-card count, mark and frame digest again from nothing. A rotated keyring passes: rotation
 * re-wraps the sealed check with the rest, and never changes the digest root.
 */
export async function checkKeyringFits(db: OrdersDb, envelope: Envelope): Promise<void> {
  const mine = { digest: envelope.digest(CHECK, 'keyring-check'), sealed: envelope.sealJson(CHECK, sealedAs.keyringCheck()) };
  const recorded = await db.initKeyringCheck(mine);
  const refuse = (what: string): never => {
    throw new KeyringMismatchError(`the data in this database was sealed under another keyring: ${what}. Start with the keyring the data was made under (KEY_FILE, KEYRING or the KMS), or another DATA_DIR or DATABASE_URL`);
  };
  try {
    envelope.openJson(recorded.sealed, sealedAs.keyringCheck());
  } catch {
    refuse(`its evidence keys (${envelope.keyIdOf(recorded.sealed)}) are not in this one`);
  }
  if (recorded.digest !== mine.digest) refuse('its digest root differs from this one\'s');
}

/** Opens the orders' database and checks the keyring fits it (closed again when it does not). */
export async function openOrdersDb(target: DatabaseTarget, envelope: Envelope): Promise<OrdersDb> {
  const db = new OrdersDb(await Database.open(target));
  try {
    await checkKeyringFits(db, envelope);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
