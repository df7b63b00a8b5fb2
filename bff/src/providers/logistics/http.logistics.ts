import { z } from 'zod';
import { type BookedShipment, LogisticsError, type LogisticsPort, type ParcelStatusEvent, type ShipmentRequest } from './logistics.port.js';
import { readCarrierEvent } from './carrierEvents.js';

export interface HttpLogisticsOptions {
  /** The carrier's (or the operator's logistics gateway's) booking endpoint. */
  url: string;
  token: string | undefined;
  /** The secret the carrier signs its status events with. */
  webhookSecret: string;
  timeoutMs?: number;
}

const bookedSchema = z.object({ carrier: z.string().regex(/^[A-Z0-9]{2,10}$/), trackingNumber: z.string().regex(/^[A-Z0-9]{6,30}$/) });

/**
 * A carrier behind the operator's logistics gateway: `POST {url}/shipments {"orderId","deliveryPath"}`
 * with `Idempotency-Key: <orderId>` → `{"carrier","trackingNumber"}` (the same answer for the same
 * key); status events come back signed, as from the sandbox carrier. Failures are `unavailable`: the
 * order stays approved and the sweep books it again with the same key.
 */
export class HttpLogistics implements LogisticsPort {
  constructor(private readonly options: HttpLogisticsOptions) {}

  async book(request: ShipmentRequest): Promise<BookedShipment> {
    let res: Response;
    try {
      res = await fetch(`${this.options.url.replace(/\/$/, '')}/shipments`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': request.orderId,
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: JSON.stringify({ orderId: request.orderId, deliveryPath: request.deliveryPath }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        redirect: 'error',
      });
    } catch {
      throw new LogisticsError('unavailable', 'the carrier did not answer');
    }
    if (!res.ok) throw new LogisticsError('unavailable', `the carrier refused the booking (HTTP ${res.status})`);
    const parsed = bookedSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new LogisticsError('unavailable', 'the carrier answered in an unknown shape');
    return parsed.data;
  }

  readEvent(body: Buffer, signatureHeader: string | undefined, now: number): ParcelStatusEvent {
    return readCarrierEvent(this.options.webhookSecret, body, signatureHeader, now);
  }
}
