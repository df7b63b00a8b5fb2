import { type CalendarDate, REGISTRATION_STATUSES, type RegistrationStatus, parseIdNumber, validateIccid } from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { holderKey } from '../services/orderService.js';
import type { CampaignsDb, SubscriberRow } from './campaigns.db.js';

/** One subscriber as the billing system exports it. The ID number is turned into the five-card key and dropped. */
export interface SubscriberRecord {
  msisdn: string;
  iccid: string;
  registration: string;
  channel: string;
  idNumber?: string | undefined;
}

/** Rows written per transaction. */
const BATCH = 2000;

/** Why a record is refused, or its row. Nothing of a refused record is kept. */
export function subscriberRow(record: SubscriberRecord, envelope: Envelope, now: number, today: CalendarDate): SubscriberRow | string {
  if (!/^1\d{10}$/.test(record.msisdn)) return 'msisdn';
  if (!validateIccid(record.iccid).ok) return 'iccid';
  if (!(REGISTRATION_STATUSES as readonly string[]).includes(record.registration)) return 'registration';
  if (!record.channel || record.channel.length > 64) return 'channel';
  const registration = record.registration as RegistrationStatus;
  let key: string | null = null;
  if (registration === 'registered') {
    if (!record.idNumber || !parseIdNumber(record.idNumber, today).ok) return 'id_number';
    key = holderKey(envelope, record.idNumber);
  }
  return { msisdn: record.msisdn, iccid: record.iccid, registration, channel: record.channel, holder_key: key, service: 'active', imported_at: now, updated_at: now };
}

export interface ImportReport {
  imported: number;
  /** Refused records: their position (1-based) and the field at fault, never their content. */
  refused: { at: number; field: string }[];
}

/**
 * Imports subscribers as they are read (a file of a million lines is never held whole): checked one
 * by one, written a batch per transaction, a later record for a number replacing the earlier one.
 * `onBatch` sees each batch written (the sandbox's provisioning stand-in learns the cards).
 */
export async function importSubscribers(records: AsyncIterable<SubscriberRecord> | Iterable<SubscriberRecord>, deps: {
  db: CampaignsDb; envelope: Envelope; now: number; today: CalendarDate; onBatch?: (rows: SubscriberRow[]) => void;
}): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, refused: [] };
  let batch = new Map<string, { row: SubscriberRow; at: number }>();
  const flush = async (): Promise<void> => {
    // A card is one number's: a record whose card another number holds (already, or earlier in the batch) is refused.
    const held = await deps.db.cardsHeld([...batch.values()].map((b) => b.row.iccid));
    const claimed = new Map<string, string>();
    const rows: SubscriberRow[] = [];
    for (const { row, at } of batch.values()) {
      const holder = claimed.get(row.iccid) ?? held.get(row.iccid);
      if (holder !== undefined && holder !== row.msisdn) {
        report.refused.push({ at, field: 'iccid_taken' });
        continue;
      }
      claimed.set(row.iccid, row.msisdn);
      rows.push(row);
    }
    batch = new Map();
    await deps.db.upsertSubscribers(rows);
    deps.onBatch?.(rows);
    report.imported += rows.length;
  };
  let at = 0;
  for await (const record of records) {
    at += 1;
    const row = subscriberRow(record, deps.envelope, deps.now, deps.today);
    if (typeof row === 'string') {
      report.refused.push({ at, field: row });
      continue;
    }
    batch.set(row.msisdn, { row, at });
    if (batch.size >= BATCH) await flush();
  }
  await flush();
  report.refused.sort((a, b) => a.at - b.at);
  return report;
}
