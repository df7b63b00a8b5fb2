import type { DeliveryPath } from '@shared';

/**
 * The courier company's side: a shipment is booked for a packed card, and the carrier reports what
 * happens to the parcel through signed status events (a webhook to the BFF).
 */
export interface ShipmentRequest {
  /** Also the booking's idempotency key: booking an order twice gives the one shipment. */
  orderId: string;
  deliveryPath: DeliveryPath;
}

export interface BookedShipment {
  /** The carrier's code; couriers of that company see the delivery. */
  carrier: string;
  trackingNumber: string;
}

/** What the carrier can report; `returned`: the parcel went back to the sender. */
export const PARCEL_EVENTS = ['out_for_delivery', 'delivered', 'returned'] as const;
export type ParcelEvent = (typeof PARCEL_EVENTS)[number];

export interface ParcelStatusEvent {
  trackingNumber: string;
  event: ParcelEvent;
}

export interface LogisticsPort {
  book(request: ShipmentRequest): Promise<BookedShipment>;
  /** The event in a webhook call, if its signature and timestamp hold; otherwise throws. */
  readEvent(body: Buffer, signatureHeader: string | undefined, now: number): ParcelStatusEvent;
}

export class LogisticsError extends Error {
  constructor(
    readonly code: 'unavailable' | 'bad_signature' | 'bad_event',
    message: string,
  ) {
    super(message);
    this.name = 'LogisticsError';
  }
}
