import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseIdNumber, todayInChina } from '@shared';
import { holderKey } from '../services/orderService.js';
import { openStores } from './stores.js';

const USAGE = `Usage: npm run holder-cards -- --file <counts.csv>

Records how many cards each ID number already holds with the operator through other channels (stores,
other systems), for the five-card cap (一证五卡). Each line: <ID number>,<cards>. The numbers are
stored only as keyed hashes (under the keyring's digest key); a line is replaced by a later import.
Lines that are not an ID number and a count are listed and skipped.
`;

const { values } = parseArgs({ options: { file: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help || !values.file) {
  process.stdout.write(USAGE);
  process.exit(values.help ? 0 : 2);
}

const { db, envelope } = await openStores();
const today = todayInChina();
const skipped: number[] = [];
const lines = (await readFile(values.file, 'utf8')).split(/\r?\n/);
const holders: [string, number][] = [];
lines.forEach((line, index) => {
  if (!line.trim() || line.startsWith('#')) return;
  const [number = '', count = ''] = line.split(',').map((part) => part.trim());
  const parsed = parseIdNumber(number, today);
  if (!parsed.ok || !/^\d{1,3}$/.test(count)) {
    skipped.push(index + 1);
    return;
  }
  holders.push([holderKey(envelope, number), Number(count)]);
});
// All of the file or none of it.
await db.database.transaction(db.db, async (trx) => {
  for (const [key, cards] of holders) await db.setHolderCards(key, cards, trx);
});
const imported = holders.length;
await db.close();
// Line numbers only: the lines themselves are identity data.
process.stdout.write(`${imported} holder(s) recorded${skipped.length ? `; skipped line(s) ${skipped.join(', ')}` : ''}\n`);
