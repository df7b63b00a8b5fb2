import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { todayInChina } from '@shared';
import { MockProvisioning } from '../providers/provisioning/mock.provisioning.js';
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

/** The file's records, read a line at a time. */
async function* readRecords(): AsyncGenerator<SubscriberRecord> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const json = path.extname(file).toLowerCase() === '.jsonl';
  let columns: string[] | undefined;
  for await (const line of lines) {
    if (!line.trim()) continue;
    if (json) {
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // Counted as refused below, by its missing fields.
      }
      const text = (key: string): string => (typeof parsed[key] === 'string' ? parsed[key] : '');
      yield { msisdn: text('msisdn'), iccid: text('iccid'), registration: text('registration'), channel: text('channel'), idNumber: text('idNumber') || undefined };
      continue;
    }
    const cells = line.split(',').map((cell) => cell.trim());
    if (!columns) {
      columns = cells;
      continue;
    }
    const cell = (name: string): string => cells[columns?.indexOf(name) ?? -1] ?? '';
    yield { msisdn: cell('msisdn'), iccid: cell('iccid'), registration: cell('registration'), channel: cell('channel'), idNumber: cell('id_number') || undefined };
  }
}

const { config, db, envelope } = await openStores();
// The sandbox's provisioning stand-in learns the cards, as the operator's system knows them.
const sandbox = config.provisioning.adapter === 'mock' ? new MockProvisioning(path.join(config.dataDir, 'sandbox-provisioning.db'), { latencyMs: 0 }) : undefined;
try {
  const report = await importSubscribers(readRecords(), {
    db: new CampaignsDb(db.database), envelope, now: Date.now(), today: todayInChina(),
    onBatch: (rows) => sandbox?.adopt(rows),
  });
  const refused = report.refused.slice(0, 50).map((r) => `record ${r.at} (${r.field})`);
  process.stdout.write(`${report.imported} subscriber(s) imported${report.refused.length ? `; ${report.refused.length} refused: ${refused.join(', ')}${report.refused.length > 50 ? ', …' : ''}` : ''}\n`);
} finally {
  sandbox?.close();
  await db.close();
}
