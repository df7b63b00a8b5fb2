import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { clientOf } from './client.js';

/** Multipart framing around the files: boundaries, part headers and the few text fields. */
const FRAMING_BYTES = 64 * 1024;

/**
 * How much upload data all requests together may hold in memory, how many uploads one client may
 * have in flight, and one upload at a time per order (or attempt, or parcel). All is decided before
 * the body is read: a crowd of large uploads is turned away at the door (503, Retry-After) instead of
 * filling memory, and a client sending on many connections at once is refused before its photos
 * cost any decoding (the vision queue is fair, but reading a photo happens before it).
 */
export class UploadBudget {
  #used = 0;
  readonly #busy = new Set<string>();
  readonly #perClient = new Map<string, number>();

  constructor(private readonly totalBytes: number, private readonly perClient: number) {}

  get usedBytes(): number {
    return this.#used;
  }

  /**
   * Middleware for one upload route: `maxBytes` the largest body it takes; `subject` names what one
   * upload at a time is kept to (the order, the attempt, the parcel).
   */
  guard(maxBytes: number, subject: (req: Request) => string): RequestHandler {
    return (req, res, next) => {
      const declared = Number(req.get('content-length'));
      const known = Number.isFinite(declared) && declared >= 0;
      const refuse = (error: AppError): void => {
        // Stop the client sending the rest of a body nobody will read.
        res.set('Connection', 'close');
        next(error);
      };
      if (known && declared > maxBytes + FRAMING_BYTES) {
        refuse(new AppError('upload_too_large', `the upload is larger than ${Math.round(maxBytes / 2 ** 20)} MB`, 413));
        return;
      }
      const key = subject(req);
      if (this.#busy.has(key)) {
        refuse(new AppError('upload_in_progress', 'another photo for this is still being sent or checked; wait for it', 409));
        return;
      }
      const who = clientOf(req);
      const inFlight = this.#perClient.get(who) ?? 0;
      if (inFlight >= this.perClient) {
        refuse(new AppError('rate_limited', 'too many photos are being sent from this network at once; wait for them', 429, { retryAfterSeconds: 2 }));
        return;
      }
      // A body of unknown length may be as large as the route allows.
      const reserved = known ? declared : maxBytes + FRAMING_BYTES;
      if (this.#used + reserved > this.totalBytes) {
        refuse(new AppError('overloaded', 'many photos are arriving right now; send yours again in a few seconds', 503, { retryAfterSeconds: 5 }));
        return;
      }
      this.#used += reserved;
      this.#busy.add(key);
      this.#perClient.set(who, inFlight + 1);
      res.once('close', () => {
        this.#used -= reserved;
        this.#busy.delete(key);
        const left = (this.#perClient.get(who) ?? 1) - 1;
        if (left > 0) this.#perClient.set(who, left);
        else this.#perClient.delete(who);
      });
      next();
    };
  }
}
