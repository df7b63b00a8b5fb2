import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../db/database.js';
import { type BookedShipment, LogisticsError, type LogisticsPort, type ParcelStatusEvent, type ShipmentRequest } from './logistics.port.js';
import { readCarrierEvent } from './carrierEvents.js';

/** The sandbox carrier's code; its sandbox couriers see its deliveries. */
export const SANDBOX_CARRIER = 'SBX';

export interface MockLogisticsOptions {
  /** The secret the carrier signs its status webhooks with. */
  webhookSecret: string;
  latencyMs?: number;
  /** Share of bookings refused as `unavailable` (tried again later). */
  failureRate?: number;
  random?: () => number;
}

/**
 * A stand-in for a courier company: books shipments (one per order, however often asked), numbers
 * them like a carrier does, and signs the status events it sends. Its bookings live in a file of
 * their own, as they would at the carrier.
 */
export class MockLogistics implements LogisticsPort {
  readonly #db: Database.Database;
  readonly #o: Required<Omit<MockLogisticsOptions, 'random'>> & { random: () => number };

  constructor(file: string, options: MockLogisticsOptions) {
    this.#db = openSqliteFile(file);
    this.#db.exec('CREATE TABLE IF NOT EXISTS bookings (order_id TEXT PRIMARY KEY, carrier TEXT NOT NULL, tracking_number TEXT NOT NULL UNIQUE)');
    this.#o = { latencyMs: 100, failureRate: 0, random: Math.random, ...options };
  }

  close(): void {
    this.#db.close();
  }

  async book({ orderId }: ShipmentRequest): Promise<BookedShipment> {
    await sleep(this.#o.latencyMs);
    if (this.#o.random() < this.#o.failureRate) throw new LogisticsError('unavailable', 'the carrier did not take the booking (503)');
    return this.#db.transaction((): BookedShipment => {
      const booked = this.#db.prepare('SELECT carrier, tracking_number FROM bookings WHERE order_id = ?').get(orderId) as
        { carrier: string; tracking_number: string } | undefined;
      if (booked) return { carrier: booked.carrier, trackingNumber: booked.tracking_number };
      const trackingNumber = `${SANDBOX_CARRIER}${String(randomInt(1e6)).padStart(6, '0')}${String(randomInt(1e6)).padStart(6, '0')}`;
      this.#db.prepare('INSERT INTO bookings (order_id, carrier, tracking_number) VALUES (?, ?, ?)').run(orderId, SANDBOX_CARRIER, trackingNumber);
      return { carrier: SANDBOX_CARRIER, trackingNumber };
    }).immediate();
  }

  readEvent(body: Buffer, signatureHeader: string | undefined, now: number): ParcelStatusEvent {
    return readCarrierEvent(this.#o.webhookSecret, body, signatureHeader, now);
  }
}
