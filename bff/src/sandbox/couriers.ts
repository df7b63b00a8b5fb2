import { SANDBOX_CARRIER } from '../providers/logistics/mock.logistics.js';

/**
 * Couriers QA signs in with on the courier page, seeded with the sandbox carrier. Their access codes
 * are public, like the sandbox identities: they exist only while the logistics adapter is the mock.
 */
export const SANDBOX_COURIERS = [
  { id: 'sandbox-courier-1', company: SANDBOX_CARRIER, name: '王师傅 (sandbox)', token: 'sandbox-courier-SBX-0001' },
  { id: 'sandbox-courier-2', company: 'OTH', name: '李师傅 (sandbox, another carrier)', token: 'sandbox-courier-OTH-0001' },
] as const;
