import { SANDBOX_CARRIER } from '../providers/logistics/mock.logistics.js';

/**
 * Couriers QA signs in with on the courier page, with the sandbox carrier. Their access codes are
 * public, like the sandbox identities: they are enabled only in the sandbox, and production disables
 * them if a data folder still has them.
 */
export const SANDBOX_COURIERS = [
  { id: 'sandbox-courier-1', company: SANDBOX_CARRIER, name: '王师傅 (sandbox)', role: 'courier', token: 'sandbox-courier-SBX-0001' },
  { id: 'sandbox-courier-2', company: 'OTH', name: '李师傅 (sandbox, another carrier)', role: 'courier', token: 'sandbox-courier-OTH-0001' },
  { id: 'sandbox-supervisor-1', company: SANDBOX_CARRIER, name: '赵主管 (sandbox supervisor)', role: 'supervisor', token: 'sandbox-supervisor-SBX-0001' },
] as const;
