import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseIdNumber, todayInChina } from '@shared';
import { loadConfig } from '../config.js';
import { Envelope, loadMasterKey } from '../crypto/envelope.js';
import { SqliteDb } from '../providers/db/sqlite.db.js';
import { holderKey } from '../services/orderService.js';

const USAGE = `Usage: npm run holder-cards -- --file <counts.csv>

Records how many cards each ID number already holds with the operator through other channels (stores,
other systems), for the five-card cap (一证五卡). Each line: <ID number>,<cards>. The numbers are
stored only as keyed hashes (under DATA_DIR's master key); a line is replaced by a later import.
Lines that are not an ID number and a count are listed and skipped.
`;

const { values } = parseArgs({ options: { file: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help || !values.file) {
  process.stdout.write(USAGE);
  process.exit(values.help ? 0 : 2);
}

const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
const envelope = new Envelope(await loadMasterKey(config.masterKey, config.dataDir));
const db = new SqliteDb(path.join(config.dataDir, 'orders.db'));
const today = todayInChina();
let imported = 0;
const skipped: number[] = [];
const lines = (await readFile(values.file, 'utf8')).split(/\r?\n/);
db.db.transaction(() => {
  lines.forEach((line, index) => {
    if (!line.trim() || line.startsWith('#')) return;
    const [number = '', count = ''] = line.split(',').map((part) => part.trim());
    const parsed = parseIdNumber(number, today);
    if (!parsed.ok || !/^\d{1,3}$/.test(count)) {
      skipped.push(index + 1);
      return;
    }
    db.setHolderCards(holderKey(envelope, number), Number(count));
    imported += 1;
  });
})();
db.close();
// Line numbers only: the lines themselves are identity data.
process.stdout.write(`${imported} holder(s) recorded${skipped.length ? `; skipped line(s) ${skipped.join(', ')}` : ''}\n`);
