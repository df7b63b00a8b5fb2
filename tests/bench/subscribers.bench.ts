/**
 * Re-registration at an operator's scale, on SQLite (a file of the bench's own):
 *   - importing the subscriber base as the CLI does (records checked one by one, 2,000 a transaction),
 *     its time and the process's peak memory;
 *   - a campaign over the unregistered among them (the members selected in one statement);
 *   - a sweep sending every first notice, through an SMS centre that answers at once (the SMS
 *     service's own speed is not what is measured).
 *
 *   node --import tsx tests/bench/subscribers.bench.ts
 *   BENCH_SUBSCRIBERS=100000 node --import tsx tests/bench/subscribers.bench.ts
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { luhnCheckDigit, todayInChina } from '@shared';
import { Envelope } from '../../bff/src/crypto/envelope.js';
import { Keyring, newKeyring } from '../../bff/src/crypto/keyring.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { Database } from '../../bff/src/providers/db/database.js';
import type { ProvisioningPort } from '../../bff/src/providers/provisioning/provisioning.port.js';
import { CampaignsDb } from '../../bff/src/reregistration/campaigns.db.js';
import { CampaignService } from '../../bff/src/reregistration/campaignService.js';
import { type SubscriberRecord, importSubscribers } from '../../bff/src/reregistration/subscriberImport.js';

const COUNT = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
const DAY = 86_400_000;
const STATUSES = ['registered', 'registered', 'registered', 'unregistered', 'incomplete', 'suspected_false'];

function* records(): Generator<SubscriberRecord> {
  for (let i = 0; i < COUNT; i += 1) {
    const body = `898600${String(i).padStart(12, '0')}`;
    const registration = STATUSES[i % STATUSES.length]!;
    yield {
      msisdn: `170${String(i).padStart(8, '0')}`, iccid: `${body}${luhnCheckDigit(body)}`, registration, channel: `agent-${i % 500}`,
      idNumber: registration === 'registered' ? SANDBOX_IDENTITIES[i % SANDBOX_IDENTITIES.length]?.idNumber : undefined,
    };
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-subscribers-'));
const file = path.join(dir, 'orders.db');
const database = await Database.open({ engine: 'sqlite', file });
const db = new CampaignsDb(database);
const envelope = new Envelope(new Keyring(newKeyring()));
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);

let from = performance.now();
const report = await importSubscribers(records(), { db, envelope, now: Date.now(), today: todayInChina() });
const importS = (performance.now() - from) / 1000;
const importPeak = peak;

let sent = 0;
const unused = (): Promise<never> => Promise.reject(new Error('not used by a first notice'));
const provisioning: ProvisioningPort = { activate: unused, suspend: unused, resume: unused, terminate: unused, status: unused };
let now = Date.now();
const service = new CampaignService({
  db, provisioning, billing: { refundBalance: unused, activeCards: unused }, link: 'https://sim.operator.example/reregister', envelope, now: () => now, log: () => undefined,
  notifier: { send: () => Promise.resolve({ messageId: String((sent += 1)) }) },
});
from = performance.now();
const { members } = await service.create({
  name: 'bench', kind: 'reregistration', statuses: ['unregistered', 'incomplete', 'suspected_false'],
  startsAt: now + 1000, deadlineAt: now + 30 * DAY, remindBeforeDays: [7, 1], graceDays: 3, finalReminderAfterDays: 7, stopAfterDays: 15,
}, 'bench');
const createS = (performance.now() - from) / 1000;
now += 2000;
from = performance.now();
const swept = await service.sweep();
const sweepS = (performance.now() - from) / 1000;
clearInterval(sampler);
const size = (await stat(file)).size;
await database.close();
await rm(dir, { recursive: true, force: true });

const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;
const lines = [
  `subscribers: ${report.imported.toLocaleString('en')} imported in ${importS.toFixed(1)} s (${Math.round(report.imported / importS).toLocaleString('en')}/s), peak RSS ${mb(importPeak)}, database ${mb(size)}`,
  `campaign: ${members.toLocaleString('en')} members selected in ${createS.toFixed(1)} s`,
  `sweep: ${swept.steps.toLocaleString('en')} first notices (${sent.toLocaleString('en')} sent) in ${sweepS.toFixed(1)} s (${Math.round(swept.steps / sweepS).toLocaleString('en')}/s), peak RSS ${mb(peak)}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
