import { z } from 'zod';

/** What an authorised agent may sell on the operator's behalf. */
export const AGENT_SCOPES = ['sim_sale', 'number_porting', 'plan_change'] as const;
export type AgentScope = (typeof AGENT_SCOPES)[number];

/**
 * A new agent is pending until a second person approves its admission; active agents sell; a
 * suspended one cannot start orders for now; a blacklisted one never again.
 */
export const CHANNEL_STATUSES = ['pending', 'active', 'suspended', 'blacklisted'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

const LICENCE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/**
 * A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from 31, the last a
 * check character over the first 17 (weights 3^i mod 31).
 */
export function isLicenceNumber(value: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += LICENCE_CHARS.indexOf(value[i] ?? '') * (3 ** i % 31);
  return LICENCE_CHARS[(31 - (sum % 31)) % 31] === value[17];
}

/** A web origin as browsers send it: scheme, host, optional port; nothing else. */
const origin = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}, 'an origin is scheme://host[:port], without a path or a trailing slash');

export const agentNumber = z.string().regex(/^[A-Z0-9][A-Z0-9-]{3,31}$/, 'an agent number is 4-32 capital letters, digits and dashes');

/** What the patrol found on an agent's page: its genuine mark, none, another agent's, or no page at all. */
export const PATROL_OUTCOMES = ['mark_shown', 'mark_missing', 'mark_of_another', 'unreachable'] as const;
export type PatrolOutcome = (typeof PATROL_OUTCOMES)[number];

const channelFields = {
  name: z.string().trim().min(2).max(60),
  licenceNumber: z.string().refine(isLicenceNumber, 'not a valid unified social credit code (统一社会信用代码)'),
  scope: z.array(z.enum(AGENT_SCOPES)).min(1).max(AGENT_SCOPES.length),
  origins: z.array(origin).max(20),
  webhookUrl: z.url({ protocol: /^https?$/ }).nullable(),
  /** The pages the agent sells on (the patrol looks for the mark there); none: its sites' home pages. */
  pages: z.array(z.url({ protocol: /^https?$/ }).max(300)).max(20).optional(),
};

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'a date as YYYY-MM-DD');
/** A document kept in the operator's records: its reference there (archive number, file name). */
const documentRef = z.string().trim().min(3).max(120);

/**
 * What a channel manager checks and records before an agent is entrusted (182号 三(一), 452号 一(五)):
 * the business licence, the legal representative, the agreement and its dates, the agent's
 * commitments to real-name registration and to data protection, and the background check.
 */
export const agentAdmissionSchema = z.object({
  licenceDocument: documentRef,
  legalRepresentative: z.object({
    name: z.string().trim().min(2).max(40),
    /**
     * Kept only as a keyed hash: the blacklist binds the person, not the number in clear. Its shape
     * here; its date and check character on the server (the region table stays out of the web app).
     */
    idNumber: z.string().trim().regex(/^\d{17}[\dXx]$/u, 'a resident ID number is 18 characters'),
  }),
  agreement: z.object({ reference: documentRef, signedOn: day, validUntil: day }).refine((a) => a.validUntil > a.signedOn, 'the agreement ends after it is signed'),
  commitments: z.object({ realName: z.literal(true), dataProtection: z.literal(true), noSubAgents: z.literal(true) }),
  backgroundCheck: z.object({ outcome: z.literal('clear'), reference: documentRef, checkedOn: day }),
}).meta({ id: 'AgentAdmission' });
export type AgentAdmission = z.infer<typeof agentAdmissionSchema>;

export const createChannelRequestSchema = z
  .object({ agentNumber, ...channelFields, admission: agentAdmissionSchema })
  .meta({ id: 'CreateChannel' });
export type CreateChannelRequest = z.infer<typeof createChannelRequestSchema>;

export const updateChannelRequestSchema = z
  .object({
    ...channelFields,
    status: z.enum(['active', 'suspended', 'blacklisted']),
    /** Why an agent is suspended or blacklisted, and the evidence (references to what was found). */
    reason: z.string().trim().min(4).max(500),
    evidence: z.array(documentRef).min(1).max(20),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .refine((v) => !(v.status === 'suspended' || v.status === 'blacklisted') || (v.reason && v.evidence), 'a suspension or blacklisting carries its reason and evidence')
  .meta({ id: 'UpdateChannel' });
export type UpdateChannelRequest = z.infer<typeof updateChannelRequestSchema>;

/** A channel as the operator manages it (the webhook secret is shown once, when made). */
export const channelSchema = z
  .object({
    id: z.string(),
    agentNumber: z.string(),
    ...channelFields,
    status: z.enum(CHANNEL_STATUSES),
    /** Open orders flagged because the agent stopped selling while they were open. */
    flaggedOrders: z.number().int(),
    /** What the patrol last found on each of the agent's pages. */
    patrol: z.array(z.object({ page: z.string(), outcome: z.enum(PATROL_OUTCOMES), detail: z.string().optional(), at: z.string() })),
    /** The admission as recorded (the legal representative's ID number is not shown), who recorded it and who approved it. */
    admission: z.object({
      licenceDocument: z.string(),
      legalRepresentative: z.string(),
      agreement: z.object({ reference: z.string(), signedOn: z.string(), validUntil: z.string() }),
      backgroundCheck: z.object({ outcome: z.string(), reference: z.string(), checkedOn: z.string() }),
      recordedBy: z.string(),
      approvedBy: z.string().optional(),
      approvedAt: z.string().optional(),
    }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Channel' });
export type Channel = z.infer<typeof channelSchema>;

export const createdChannelSchema = z
  .object({
    channel: channelSchema,
    /** Verifies the signature of the webhooks sent to the agent's server. Shown once. */
    webhookSecret: z.string(),
    /** The agent's server reads its orders' outcomes with it (`Authorization: Bearer`). Shown once. */
    apiKey: z.string(),
  })
  .meta({ id: 'CreatedChannel' });

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    event: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().optional(),
    nextAt: z.string().optional(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

/** An order's outcome as the selling agent's server reads it: states and codes, nothing of the buyer. */
export const channelOrderSchema = z
  .object({
    orderId: z.string(),
    state: z.string(),
    msisdn: z.string(),
    deliveryPath: z.string(),
    decision: z.object({ outcome: z.string(), reasons: z.array(z.string()), decidedAt: z.string() }).optional(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ChannelOrder' });
export type ChannelOrder = z.infer<typeof channelOrderSchema>;

/** What anyone may know of an agent: the public list and the mark show this. */
export const publicAgentSchema = z
  .object({
    agentNumber: z.string(),
    name: z.string(),
    licenceNumber: z.string(),
    scope: z.array(z.enum(AGENT_SCOPES)),
    /** Authorised right now. */
    authorised: z.boolean(),
  })
  .meta({ id: 'Agent' });
export type PublicAgent = z.infer<typeof publicAgentSchema>;

/** The unified mark a storefront shows: the operator's name and logo, the agent's details and scope, and a signed QR payload. */
export const agentMarkSchema = z
  .object({
    operator: z.string(),
    /** The operator's logo (PNG or SVG). */
    logoUrl: z.string(),
    agent: publicAgentSchema,
    /** Signed; the QR code encodes `verifyUrl`, which carries it in the fragment (never sent in a request line). */
    payload: z.string(),
    verifyUrl: z.string(),
  })
  .meta({ id: 'AgentMark' });
export type AgentMark = z.infer<typeof agentMarkSchema>;

export const markVerificationSchema = z
  .object({
    /** The payload is one the operator signed, unchanged. */
    genuine: z.boolean(),
    agent: publicAgentSchema.optional(),
    /** The site the mark was issued for: a mark shown anywhere else was copied. */
    origin: z.string().optional(),
    issuedAt: z.string().optional(),
  })
  .meta({ id: 'MarkVerification' });
export type MarkVerification = z.infer<typeof markVerificationSchema>;
