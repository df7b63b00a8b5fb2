import { type AgentAdmission, type Channel, composeIdNumber } from '@shared';
import { type Clock, staffMember } from './staff.js';

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** The n-th test business's unified social credit code (valid check character): each agent a business of its own. */
export function creditCode(n: number): string {
  const body = `913501${String(n).padStart(11, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += CREDIT_CHARS.indexOf(body[i] ?? '') * (3 ** i % 31);
  return `${body}${CREDIT_CHARS[(31 - (sum % 31)) % 31]}`;
}

/** The n-th test legal representative's resident ID number (valid check character). */
export function legalRepIdNumber(n: number): string {
  return composeIdNumber('350102', { year: 1980, month: 1 + (n % 12), day: 1 + (n % 28) }, String(100 + (n % 900)).padStart(3, '0'));
}

/** An admission as a channel manager records it: every document, the legal representative, the checks. */
export function admission(legalRep = legalRepIdNumber(0)): AgentAdmission {
  return {
    licenceDocument: 'LIC-SCAN-2026-0042',
    legalRepresentative: { name: '郑代表', idNumber: legalRep },
    agreement: { reference: 'AGR-2026-0042', signedOn: '2026-11-01', validUntil: '2027-10-31' },
    commitments: { realName: true, dataProtection: true, noSubAgents: true },
    backgroundCheck: { outcome: 'clear', reference: 'BGC-2026-0042', checkedOn: '2026-10-28' },
  };
}

type Server = Parameters<typeof staffMember>[0];

/**
 * Approves a pending agent's admission as the second person (a channel manager of its own, signed in
 * now: a test may have moved the clock past an earlier one's session); the agent is active after it.
 */
export async function approveAgent(server: Server, clock: Clock, channelId: string): Promise<Channel> {
  const { client } = await staffMember(server, clock, ['channel_manager']);
  const approved = await client.call<Channel>('POST', `/api/operator/channels/${channelId}/approval`);
  if (approved.status !== 200) throw new Error(`the admission was not approved: ${JSON.stringify(approved.body)}`);
  return approved.body;
}
