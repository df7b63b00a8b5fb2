import type { ErrorBody, ErrorCode } from '@shared';

/** The one error type routes and services throw; the error handler turns it into `{ error }`. */
export class AppError extends Error {
  /** Sent as Retry-After: when to try again (limits, a full queue). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
