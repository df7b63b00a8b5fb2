import { z } from 'zod';
import { verifyWebhook } from '../../crypto/webhookSignature.js';
import { LogisticsError, PARCEL_EVENTS, type ParcelStatusEvent } from './logistics.port.js';

const eventSchema = z.object({ trackingNumber: z.string().min(1).max(40), event: z.enum(PARCEL_EVENTS) });

/**
 * A carrier's status event, if its signature (`X-Logistics-Signature: t=…,v1=…`, HMAC-SHA256 of
 * "<t>.<body>" with the shared secret) holds and it is recent; otherwise a LogisticsError.
 */
export function readCarrierEvent(secret: string, body: Buffer, signatureHeader: string | undefined, now: number): ParcelStatusEvent {
  if (!verifyWebhook(secret, body, signatureHeader, now)) throw new LogisticsError('bad_signature', 'the event is not signed by the carrier, or too old');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new LogisticsError('bad_event', 'the event is not JSON');
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) throw new LogisticsError('bad_event', 'the event has no tracking number or no known status');
  return parsed.data;
}
