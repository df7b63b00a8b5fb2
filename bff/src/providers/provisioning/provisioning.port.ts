/**
 * The operator's SIM provisioning system (the BSS/HLR side): switches a card's service on and off.
 * Every changing call carries an idempotency key: the same key again answers as the first time and
 * changes nothing, so a request whose answer was lost can be sent again safely.
 */
export type SimStatus = 'inactive' | 'active' | 'suspended' | 'stopped' | 'unknown';

export interface ProvisioningRequest {
  iccid: string;
  msisdn: string;
  idempotencyKey: string;
}

export interface ProvisioningAnswer {
  iccid: string;
  msisdn: string;
  status: SimStatus;
  /** When the provisioning system made the change (the first time, for a repeated key). */
  at: string;
}

/** A suspension: why, and whether emergency calls (110, 119, 120, 122) still go through. */
export interface SuspensionRequest extends ProvisioningRequest {
  reason: string;
  /** 182号 §四: a number suspended for want of registration keeps emergency calls. */
  keepEmergencyCalls?: boolean;
}

export interface ProvisioningPort {
  activate(request: ProvisioningRequest): Promise<ProvisioningAnswer>;
  suspend(request: SuspensionRequest): Promise<ProvisioningAnswer>;
  /** Gives a suspended card its service back. */
  resume(request: ProvisioningRequest): Promise<ProvisioningAnswer>;
  /** Stops a card's service for good (销户): the number leaves the subscriber. */
  terminate(request: ProvisioningRequest & { reason: string }): Promise<ProvisioningAnswer>;
  status(iccid: string): Promise<{ iccid: string; msisdn?: string; status: SimStatus }>;
}

/**
 * `unavailable` and `timeout` may be tried again with the same key (a timeout may have been done);
 * the others will not change by trying again.
 */
export type ProvisioningErrorCode = 'unavailable' | 'timeout' | 'iccid_unknown' | 'number_conflict' | 'idempotency_conflict';

export class ProvisioningError extends Error {
  constructor(
    readonly code: ProvisioningErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProvisioningError';
  }

  get retryable(): boolean {
    return this.code === 'unavailable' || this.code === 'timeout';
  }
}
