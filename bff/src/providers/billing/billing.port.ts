/**
 * The operator's billing system: the prepaid balance of a number whose service is stopped goes back
 * to its holder (182号 §四: refunded simply, no fees while suspended). Every request carries an
 * idempotency key: the same key again answers as the first time and refunds nothing more.
 */
export interface RefundRequest {
  msisdn: string;
  iccid: string;
  idempotencyKey: string;
  reason: string;
}

export interface RefundAnswer {
  /** The billing system's reference of the refund. */
  refundId: string;
  /** What is refunded, in fen (0 when the balance was empty). */
  amountFen: number;
}

/** `unavailable` and `timeout` may be tried again with the same key; `unknown_number` will not change. */
export type BillingErrorCode = 'unavailable' | 'timeout' | 'unknown_number' | 'idempotency_conflict';

export class BillingError extends Error {
  constructor(
    readonly code: BillingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BillingError';
  }

  get retryable(): boolean {
    return this.code === 'unavailable' || this.code === 'timeout';
  }
}

export interface BillingPort {
  /** Asks for the prepaid balance of a stopped number to be refunded to its holder. */
  refundBalance(request: RefundRequest): Promise<RefundAnswer>;
}
