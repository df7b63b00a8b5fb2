import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { todayInChina } from '@shared';
import { SandboxBilling } from '../providers/billing/sandbox.billing.js';
import { MockProvisioning } from '../providers/provisioning/mock.provisioning.js';
import { holderKey } from '../services/orderService.js';
import { CampaignsDb } from '../reregistration/campaigns.db.js';
import { type SubscriberRecord, importSubscribers } from '../reregistration/subscriberImport.js';
import { openStores, usageError } from './stores.js';

const USAGE = `Usage: npm run subscribers -- --file <subscribers.csv | subscribers.jsonl>

Imports the operator's existing subscribers from its billing system, for re-registration campaigns
(补登记). A CSV file has a header line and the columns msisdn,iccid,registration,channel,id_number;
a .jsonl file has one JSON object a line with the fields msisdn, iccid, registration, channel and
idNumber. registration is one of registered, unregistered, incomplete, suspected_false. The ID number
(registered subscribers only) is kept as the five-card key, a keyed hash, and nothing else of it.
A later line for a number replaces the earlier one. Refused records are listed by their place in the file (header and blank lines not counted) and field.
`;

const { values } = parseArgs({ options: { file: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.file) usageError('subscribers', 'name the file with --file', USAGE);
const file = values.file;

/** The file's records, read as they come (CSV with quoting as spreadsheets write it, or JSON Lines). */
async function* readRecords(): AsyncGenerator<SubscriberRecord> {
  if (path.extname(file).toLowerCase() !== '.jsonl') {
    const rows = createReadStream(file).pipe(parse({ columns: true, trim: true, skip_empty_lines: true, bom: true, relax_column_count: true }));
    for await (const row of rows as AsyncIterable<Record<string, string | undefined>>) {
      yield { msisdn: row.msisdn ?? '', iccid: row.iccid ?? '', registration: row.registration ?? '', channel: row.channel ?? '', idNumber: row.id_number || undefined };
    }
    return;
  }
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Counted as refused below, by its missing fields.
    }
    const text = (key: string): string => (typeof parsed[key] === 'string' ? parsed[key] : '');
    yield { msisdn: text('msisdn'), iccid: text('iccid'), registration: text('registration'), channel: text('channel'), idNumber: text('idNumber') || undefined };
  }
}

const { config, db, envelope } = await openStores();
// The sandbox's provisioning and billing stand-ins learn the cards and whose they are, as the operator's systems know them.
const sandbox = config.provisioning.adapter === 'mock' ? new MockProvisioning(path.join(config.dataDir, 'sandbox-provisioning.db'), { latencyMs: 0 }) : undefined;
const books = config.billing.adapter === 'mock'
  ? new SandboxBilling(path.join(config.dataDir, 'sandbox-billing.db'), { holderKey: (idNumber) => holderKey(envelope, idNumber) })
  : undefined;
try {
  const report = await importSubscribers(readRecords(), {
    db: new CampaignsDb(db.database), envelope, now: Date.now(), today: todayInChina(),
    onBatch: (rows) => {
      sandbox?.adopt(rows);
      books?.book(rows);
    },
  });
  const refused = report.refused.slice(0, 50).map((r) => `record ${r.at} (${r.field})`);
  process.stdout.write(`${report.imported} subscriber(s) imported${report.refused.length ? `; ${report.refused.length} refused: ${refused.join(', ')}${report.refused.length > 50 ? ', …' : ''}` : ''}\n`);
} finally {
  sandbox?.close();
  books?.close();
  await db.close();
}
