import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors.js';

/** Multipart framing around the files: boundaries, part headers and the few text fields. */
const FRAMING_BYTES = 64 * 1024;

/**
 * How much upload data all requests together may hold in memory, and one upload at a time per order
 * (or attempt, or parcel). Bytes are reserved by the declared length before the body is read, so a
 * crowd of large uploads is turned away at the door (503, Retry-After) instead of filling memory.
 */
export class UploadBudget {
  #used = 0;
  readonly #busy = new Set<string>();

  constructor(private readonly totalBytes: number) {}

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
      // A body of unknown length may be as large as the route allows.
      const reserved = known ? declared : maxBytes + FRAMING_BYTES;
      if (this.#used + reserved > this.totalBytes) {
        refuse(new AppError('overloaded', 'many photos are arriving right now; send yours again in a few seconds', 503, { retryAfterSeconds: 5 }));
        return;
      }
      this.#used += reserved;
      this.#busy.add(key);
      res.once('close', () => {
        this.#used -= reserved;
        this.#busy.delete(key);
      });
      next();
    };
  }
}
