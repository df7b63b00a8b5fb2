import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseStockFile } from '../domain/numberPool.js';
import { FulfilmentDb } from '../providers/db/fulfilment.db.js';
import { packCodeDigest } from '../services/activationService.js';
import { openStores, usageError } from './stores.js';

const USAGE = `Usage:
  npm run stock -- --sims <cards.csv>      SIM cards: one per line, <ICCID>,<activation code in the pack>
  npm run stock -- --numbers <numbers.txt> numbers to offer: one MVNO number per line

Puts the operator's SIM cards and numbers in stock (production starts with none; the sandbox makes
up its own). Pack codes are stored only as keyed digests. Lines that break the rules (ICCID check
digit, 8-digit code, MVNO range, repeats) are listed by line number and skipped; cards and numbers
already in stock are left as they are.
`;

const { values } = parseArgs({ options: { sims: { type: 'string' }, numbers: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.sims && !values.numbers) usageError('stock', 'give --sims or --numbers', USAGE);

const { db, envelope } = await openStores();
const report = (what: string, added: number, offered: number, problems: { line: number; reason: string }[]): void => {
  process.stdout.write(`${added} ${what} added (${offered - added} already in stock)${problems.length ? `; skipped ${problems.map((p) => `line ${p.line} (${p.reason})`).join(', ')}` : ''}\n`);
};
if (values.sims) {
  const { items, problems } = parseStockFile(await readFile(values.sims, 'utf8'), 'sims');
  const added = await new FulfilmentDb(db).addSimCards(items.map(({ iccid, packCode }) => ({
    iccid, pack_code_hash: packCodeDigest(envelope, iccid, packCode), sandbox_pack_code: null, origin: 'import',
  })));
  report('SIM card(s)', added, items.length, problems);
}
if (values.numbers) {
  const { items, problems } = parseStockFile(await readFile(values.numbers, 'utf8'), 'numbers');
  report('number(s)', await db.seedNumbers(items, 'import'), items.length, problems);
}
await db.close();
