/**
 * The operator's billing system: the numbers in service under an identity (the five-card cap counts
 * them), and the prepaid balance of a number whose service is stopped, which goes back to its holder
 * (182号 §四: refunded simply, no fees while suspended). A refund carries an idempotency key: the same
 * key again answers as the first time and refunds nothing more.
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
  /** Asks for the prepaid balance of a stopped number to be refunded to its holder (the number's account closes). */
  refundBalance(request: RefundRequest): Promise<RefundAnswer>;
  /**
   * How many numbers in service the operator's books hold under an ID number, through every channel
   * (stores, agents, other systems, this one once a card is in service): the five-card cap's count.
   */
  activeCards(request: { idNumber: string }): Promise<{ active: number }>;
}
