import { randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type AgentAdmission,
  type AgentMark,
  type Channel,
  type ChannelOrder,
  type CreateChannelRequest,
  type MarkVerification,
  type PublicAgent,
  type UpdateChannelRequest,
  type WebhookDelivery,
  isoFromMs,
  composeIdNumber,
  normaliseIdNumber,
  parseIdNumber,
} from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { hashToken, newToken, tokenMatches } from '../crypto/tokens.js';
import { AppError } from '../errors.js';
import { shownDecision } from '../domain/decision.js';
import type { ChannelRow, ChannelsDb } from '../providers/db/channels.db.js';
import type { OrdersDb } from '../providers/db/orders.db.js';
import { sealedAs } from '../providers/db/sealed.js';
import type { OperatorLogo } from './operatorLogo.js';

export interface ChannelDeps {
  channels: ChannelsDb;
  orders: OrdersDb;
  envelope: Envelope;
  settings: {
    /** The operator's own name, shown on every mark. */
    operatorName: string;
    /** Where the operator's site answers (PUBLIC_URL): the mark's QR code links there, never to a request's Host. */
    publicUrl: string;
    /** Bearer token of the operator's console and API. */
    operatorToken: string;
    /** The operator's logo, shown on every mark (served at /api/operator/logo). */
    logo: OperatorLogo;
  };
  now: () => number;
}

/**
 * The sandbox's demo agent, so a storefront can be tried at once. Its sites are the addresses the
 * sandbox serves on (set at each start); production suspends it.
 */
export const DEMO_AGENT = {
  agentNumber: 'SBX-AGENT-0001',
  name: '沙盒示例代理商 (sandbox)',
  licenceNumber: '91110105MA01DEM00J',
  scope: ['sim_sale'],
} as const;

/** The operator's own storefront: a channel of its own, never an agent, never public, never framed elsewhere. */
export const OPERATOR_CHANNEL = { agentNumber: 'OPERATOR-DIRECT', name: 'operator direct', licenceNumber: '-' } as const;

/** Seals a channel's webhook secret to its channel. */
const secretAad = sealedAs.webhookSecret;
const MARK_PURPOSE = 'agent-mark';
const SESSION_PURPOSE = 'agent-session';
const LEGAL_REP_PURPOSE = 'agent-legal-representative';

/** The admission as kept: everything recorded but the legal representative's ID number (kept as a keyed hash). */
type StoredAdmission = Omit<AgentAdmission, 'legalRepresentative'> & { legalRepresentative: string };

/** The sandbox demo agent's admission (demo data: production retires the agent). */
const DEMO_ADMISSION: AgentAdmission = {
  licenceDocument: 'SANDBOX-LICENCE-SCAN-0001',
  legalRepresentative: { name: '沙盒法人', idNumber: composeIdNumber('110105', { year: 1980, month: 1, day: 1 }, '001') },
  agreement: { reference: 'SANDBOX-AGREEMENT-0001', signedOn: '2026-01-01', validUntil: '2028-12-31' },
  commitments: { realName: true, dataProtection: true, noSubAgents: true },
  backgroundCheck: { outcome: 'clear', reference: 'SANDBOX-CHECK-0001', checkedOn: '2026-01-01' },
};
/** How long an agent session names its agent on new orders: a buyer reloads the storefront's frame for a new one. */
export const AGENT_SESSION_MS = 2 * 3_600_000;

interface SessionBody {
  /** Agent number. */
  a: string;
  /** The origin that loaded the flow. */
  o: string;
  /** Expires at, seconds. */
  x: number;
}

interface MarkBody {
  /** Agent number. */
  a: string;
  /** Origin the mark was issued for. */
  o: string;
  /** Issued at, seconds. */
  t: number;
}

/**
 * Authorised sales channels: the registry the operator manages, the public list, the unified agent
 * mark with its signed QR payload, and which channel a new order belongs to.
 */
export class ChannelService {
  readonly #d: ChannelDeps;

  constructor(deps: ChannelDeps) {
    this.#d = deps;
  }

  /** The operator's bearer token, compared in constant time; anything else is 401. */
  authorizeOperator(token: string | undefined): void {
    if (!tokenMatches(hashToken(this.#d.settings.operatorToken), token)) throw new AppError('unauthorized', 'the operator token is needed', 401);
  }

  /** The channel a storefront's API key belongs to; a blacklisted agent's key no longer opens anything. */
  async authorizeChannel(token: string | undefined): Promise<ChannelRow> {
    const row = token ? await this.#d.channels.byApiKeyHash(hashToken(token)) : undefined;
    if (!row || row.status === 'blacklisted') throw new AppError('unauthorized', 'the channel API key is needed', 401);
    return row;
  }

  /** The delivery log of a channel's webhooks, newest first. */
  async deliveries(id: string): Promise<WebhookDelivery[]> {
    await this.require(id);
    return (await this.#d.channels.deliveriesOf(id)).map((d) => ({
      id: d.id, orderId: d.order_id, event: d.event, status: d.status, attempts: d.attempts, lastStatus: d.last_status, lastError: d.last_error,
      createdAt: isoFromMs(d.created_at), ...(d.delivered_at ? { deliveredAt: isoFromMs(d.delivered_at) } : {}), ...(d.status === 'pending' ? { nextAt: isoFromMs(d.next_at) } : {}),
    }));
  }

  /** The operator's own storefront's channel, made once. */
  async ensureOperatorChannel(): Promise<void> {
    if (await this.#d.channels.operatorChannel()) return;
    await this.insert({ agentNumber: OPERATOR_CHANNEL.agentNumber, name: OPERATOR_CHANNEL.name, licenceNumber: OPERATOR_CHANNEL.licenceNumber, scope: ['sim_sale'], origins: [], webhookUrl: null },
      'seed', 'operator', { status: 'active', admission: null, legal_rep_key: null, recorded_by: null, approved_by: null, approved_at: null });
  }

  /** The sandbox's demo agent, admitted and active, on the addresses this sandbox serves (every sandbox start). */
  async seedDemo(origins: readonly string[], pages: readonly string[]): Promise<void> {
    const row = await this.#d.channels.byAgentNumber(DEMO_AGENT.agentNumber);
    if (!row) {
      const { channel } = await this.create({ ...DEMO_AGENT, scope: [...DEMO_AGENT.scope], origins: [...origins], pages: [...pages], webhookUrl: null, admission: DEMO_ADMISSION }, 'sandbox');
      await this.#d.channels.approve(channel.id, 'sandbox (demo data)', this.#d.now());
      return;
    }
    if (row.status === 'blacklisted') return;
    await this.update(row.id, { origins: [...origins], pages: [...pages], status: 'active' }, 'seed');
  }

  /** Production: the demo agent left from a sandbox run sells nothing and frames nothing. */
  async retireDemo(): Promise<void> {
    const row = await this.#d.channels.byAgentNumber(DEMO_AGENT.agentNumber);
    if (row?.status === 'active' || row?.status === 'pending') {
      await this.update(row.id, { status: 'suspended', reason: 'production mode: the sandbox\'s demo agent sells nothing', evidence: ['RUN_MODE=production'] }, 'production mode');
    }
  }

  /**
   * Registers an agent with its admission as recorded by `actor`: pending until another person
   * approves it. A business or a legal representative a blacklisting binds is refused, under any
   * agent number. The webhook secret and API key are returned this once (only a hash of the key is kept).
   */
  async create(request: CreateChannelRequest, actor = 'operator'): Promise<{ channel: Channel; webhookSecret: string; apiKey: string }> {
    const { admission } = request;
    if (!parseIdNumber(admission.legalRepresentative.idNumber).ok) {
      throw new AppError('validation_failed', 'admission.legalRepresentative.idNumber: not a valid resident ID number', 400);
    }
    const legalRepKey = this.#d.envelope.digest(normaliseIdNumber(admission.legalRepresentative.idNumber), LEGAL_REP_PURPOSE);
    const banned = await this.#d.channels.ban(request.licenceNumber, legalRepKey);
    if (banned) {
      throw new AppError('channel_blacklisted', banned.kind === 'credit_code'
        ? 'this business (its unified social credit code) is blacklisted: it cannot be an agent again'
        : 'this legal representative is blacklisted with another agent: the business cannot be an agent', 409);
    }
    const recorded: StoredAdmission = {
      licenceDocument: admission.licenceDocument, legalRepresentative: admission.legalRepresentative.name, agreement: admission.agreement,
      commitments: admission.commitments, backgroundCheck: admission.backgroundCheck,
    };
    return await this.insert(request, actor, 'agent', {
      status: 'pending', admission: JSON.stringify(recorded), legal_rep_key: legalRepKey, recorded_by: actor, approved_by: null, approved_at: null,
    });
  }

  /** A second person approves an agent's admission: it is authorised from now. */
  async approve(id: string, actor: string): Promise<Channel> {
    const row = await this.require(id);
    if (row.status !== 'pending') throw new AppError('illegal_transition', `the agent is ${row.status}: only a pending admission is approved`, 409);
    if (row.recorded_by === actor) throw new AppError('approval_by_another', 'the admission must be approved by someone other than the person who recorded it', 409);
    if (!await this.#d.channels.approve(id, actor, this.#d.now())) throw new AppError('illegal_transition', 'the agent was changed meanwhile', 409);
    return await this.view(await this.require(id));
  }

  /** A channel as stored (for the patrol), or "no such channel". */
  async row(id: string): Promise<ChannelRow> {
    return this.require(id);
  }

  /** A channel's changes, oldest first, with who made them, why and on what evidence. */
  async history(id: string): Promise<{ at: string; change: string; actor: string; reason?: string; evidence?: string[] }[]> {
    await this.require(id);
    return (await this.#d.channels.events(id)).map((e) => ({
      at: isoFromMs(e.at), change: e.change, actor: e.actor, ...(e.reason ? { reason: e.reason } : {}), ...(e.evidence ? { evidence: JSON.parse(e.evidence) as string[] } : {}),
    }));
  }

  private async insert(request: Omit<CreateChannelRequest, 'admission'>, actor: string, kind: ChannelRow['kind'],
    admitted: Pick<ChannelRow, 'status' | 'admission' | 'legal_rep_key' | 'recorded_by' | 'approved_by' | 'approved_at'>): Promise<{ channel: Channel; webhookSecret: string; apiKey: string }> {
    const now = this.#d.now();
    const id = randomUUID();
    const webhookSecret = newToken();
    const apiKey = newToken();
    const added = await this.#d.channels.insert({
      id, agent_number: request.agentNumber, name: request.name, licence_number: request.licenceNumber,
      scope: JSON.stringify(request.scope), origins: JSON.stringify(request.origins), webhook_url: request.webhookUrl, pages: request.pages ? JSON.stringify(request.pages) : null,
      webhook_secret: this.#d.envelope.sealJson(webhookSecret, secretAad(id)), api_key_hash: hashToken(apiKey), created_at: now, updated_at: now, kind, ...admitted,
    }, actor);
    if (!added) throw new AppError('channel_exists', `an agent numbered ${request.agentNumber} is registered already`, 409);
    return { channel: await this.view(await this.require(id)), webhookSecret, apiKey };
  }

  async update(id: string, request: UpdateChannelRequest, actor = 'operator'): Promise<Channel> {
    const current = await this.require(id);
    if (current.status === 'blacklisted' && request.status && request.status !== 'blacklisted') {
      throw new AppError('channel_blacklisted', 'a blacklisted agent cannot be authorised again; register a new agreement', 409);
    }
    if (current.status === 'pending' && request.status === 'active') {
      throw new AppError('channel_pending', 'a pending agent is authorised by the approval of its admission, by a second person', 409);
    }
    const row = await this.#d.channels.update(id, {
      ...(request.name !== undefined ? { name: request.name } : {}),
      ...(request.licenceNumber !== undefined ? { licence_number: request.licenceNumber } : {}),
      ...(request.scope !== undefined ? { scope: JSON.stringify(request.scope) } : {}),
      ...(request.origins !== undefined ? { origins: JSON.stringify(request.origins) } : {}),
      ...(request.status !== undefined ? { status: request.status } : {}),
      ...(request.webhookUrl !== undefined ? { webhook_url: request.webhookUrl } : {}),
      ...(request.pages !== undefined ? { pages: JSON.stringify(request.pages) } : {}),
    }, this.#d.now(), actor, request.reason && request.evidence ? { reason: request.reason, evidence: request.evidence } : undefined);
    if (!row) throw new AppError('not_found', 'no such channel', 404);
    return await this.view(row);
  }

  async list(): Promise<Channel[]> {
    return Promise.all((await this.#d.channels.list()).map((row) => this.view(row)));
  }

  /** The authorised agents, for anyone to check. */
  async publicList(): Promise<PublicAgent[]> {
    return (await this.#d.channels.list()).filter((row) => row.status === 'active').map((row) => publicAgent(row));
  }

  /**
   * The channel a new order belongs to: the agent named (which must be active), or, when none is
   * named, the operator's own storefront.
   */
  /**
   * The channel a new order belongs to: the agent an agent session names, or else the operator's own
   * storefront. An agent is named by nothing else: a page that puts an agent's number on an order
   * makes no order of that agent's (no commission, no webhooks).
   */
  async channelForNewOrder(agentSession: string | undefined): Promise<ChannelRow> {
    const body = agentSession ? this.#opened(agentSession) : undefined;
    if (!body) {
      const own = await this.#d.channels.operatorChannel();
      if (!own) throw new Error('the operator channel is missing');
      return own;
    }
    const row = await this.#d.channels.byAgentNumber(body.a);
    if (!row) throw new AppError('channel_unknown', 'this shop is not an authorised agent of the operator', 403);
    if (row.status !== 'active') throw new AppError('channel_unavailable', 'this shop may not sell SIM cards at the moment; buy from another authorised agent', 403);
    if (!sellsCards(row)) throw new AppError('channel_out_of_scope', 'this shop is not entrusted with selling SIM cards; buy from another authorised agent', 403);
    // A site taken off the agent's list since: its sessions name the agent no more.
    return (JSON.parse(row.origins) as string[]).includes(body.o) ? row : this.channelForNewOrder(undefined);
  }

  /**
   * A short-lived signed session naming an agent and the origin that loaded its flow, if the agent is
   * active and the origin is one of its registered sites: given to the embedded flow (the origin is
   * the frame's referrer, set by the browser) or to the agent's server (with its API key).
   */
  async agentSession(agentNumber: string, origin: string | undefined): Promise<{ session: string; expiresAt: string } | undefined> {
    const row = await this.#d.channels.byAgentNumber(agentNumber);
    if (!row || row.kind !== 'agent' || row.status !== 'active' || !sellsCards(row) || !origin || !(JSON.parse(row.origins) as string[]).includes(origin)) return undefined;
    const expiresAt = this.#d.now() + AGENT_SESSION_MS;
    const body: SessionBody = { a: row.agent_number, o: origin, x: Math.floor(expiresAt / 1000) };
    const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
    return { session: `${encoded}.${this.#d.envelope.digest(encoded, SESSION_PURPOSE)}`, expiresAt: isoFromMs(expiresAt) };
  }

  /** A session for the agent's own server (with its API key), or why it is refused. */
  async serverSession(channel: ChannelRow, origin: string): Promise<{ session: string; expiresAt: string }> {
    if (channel.status === 'pending') throw new AppError('channel_pending', 'the agent\'s admission is not approved yet', 403);
    if (channel.status !== 'active') throw new AppError('channel_unavailable', 'the agent may not sell at the moment', 403);
    if (!sellsCards(channel)) throw new AppError('channel_out_of_scope', 'the agent is not entrusted with selling SIM cards', 403);
    const session = await this.agentSession(channel.agent_number, origin);
    if (!session) throw new AppError('origin_not_allowed', 'this site is not one of the agent\'s registered sites', 403);
    return session;
  }

  /** A session's content if the operator signed it and it has not expired. */
  #opened(session: string): SessionBody | undefined {
    const [encoded = '', signature = ''] = session.split('.');
    const expected = Buffer.from(this.#d.envelope.digest(encoded, SESSION_PURPOSE));
    const given = Buffer.from(signature);
    if (!encoded || expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as SessionBody;
    return body.x * 1000 > this.#d.now() ? body : undefined;
  }

  /** The operator's logo, for the marks. */
  get logo(): OperatorLogo {
    return this.#d.settings.logo;
  }

  /** The mark a storefront on `origin` shows for an agent, if the agent is active and the origin is theirs. */
  async mark(agentNumber: string, origin: string | undefined): Promise<AgentMark> {
    const row = await this.#d.channels.byAgentNumber(agentNumber);
    if (!row || row.status !== 'active') throw new AppError('not_found', 'no authorised agent with this number', 404);
    const origins = JSON.parse(row.origins) as string[];
    if (!origin || !origins.includes(origin)) throw new AppError('origin_not_allowed', 'this site is not one of the agent\'s registered sites', 403);
    const body: MarkBody = { a: row.agent_number, o: origin, t: Math.floor(this.#d.now() / 1000) };
    const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
    const payload = `${encoded}.${this.#d.envelope.digest(encoded, MARK_PURPOSE)}`;
    return {
      operator: this.#d.settings.operatorName,
      logoUrl: `${this.#d.settings.publicUrl}/api/operator/logo`,
      agent: publicAgent(row),
      payload,
      verifyUrl: `${this.#d.settings.publicUrl}/agents/verify#${payload}`,
    };
  }

  /** What the embedded flow checks its host page against: the agent's sites, and whether it may sell now. */
  async embedding(agentNumber: string): Promise<{ agentNumber: string; name: string; origins: string[]; authorised: boolean }> {
    const row = await this.#d.channels.byAgentNumber(agentNumber);
    if (!row) throw new AppError('not_found', 'no agent with this number', 404);
    return { agentNumber: row.agent_number, name: row.name, origins: JSON.parse(row.origins) as string[], authorised: row.status === 'active' };
  }

  /**
   * The pages that may frame the SPA (CSP frame-ancestors): for the embed entry of an agent, that
   * active agent's sites only (none otherwise); for any other page, this site and every active agent's
   * sites (a page reloaded inside a storefront's frame still shows).
   */
  async frameAncestors(embedAgent: string | undefined): Promise<string[]> {
    if (embedAgent !== undefined) {
      const row = await this.#d.channels.byAgentNumber(embedAgent);
      return row?.status === 'active' ? JSON.parse(row.origins) as string[] : [];
    }
    const all = (await this.#d.channels.list()).filter((row) => row.status === 'active').flatMap((row) => JSON.parse(row.origins) as string[]);
    return ["'self'", ...new Set(all)];
  }

  /** Whether a mark's payload is one the operator signed, and whose it is, as of now. */
  async verifyMark(payload: string): Promise<MarkVerification> {
    const [encoded = '', signature = ''] = payload.split('.');
    const expected = Buffer.from(this.#d.envelope.digest(encoded, MARK_PURPOSE));
    const given = Buffer.from(signature);
    if (!encoded || expected.length !== given.length || !timingSafeEqual(expected, given)) return { genuine: false };
    const body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as MarkBody;
    const row = await this.#d.channels.byAgentNumber(body.a);
    return {
      genuine: true,
      ...(row ? { agent: publicAgent(row) } : {}),
      origin: body.o,
      issuedAt: isoFromMs(body.t * 1000),
    };
  }

  /** An order's outcome for the agent that sold it; another agent's order does not exist for it. */
  async orderFor(channel: ChannelRow, orderId: string): Promise<ChannelOrder> {
    const row = await this.#d.orders.getOrder(orderId);
    if (row?.channel_id !== channel.id) throw new AppError('not_found', 'no such order for this agent', 404);
    const decision = row.decision ? shownDecision(row.decision) : undefined;
    return {
      orderId: row.id, state: row.state, msisdn: row.msisdn, deliveryPath: row.delivery_path, updatedAt: isoFromMs(row.updated_at),
      ...(decision ? { decision } : {}),
    };
  }

  /** A channel's webhook secret, for signing what is sent to it. */
  webhookSecret(row: ChannelRow): string {
    return this.#d.envelope.openJson(row.webhook_secret, secretAad(row.id)) as string;
  }

  private async require(id: string): Promise<ChannelRow> {
    const row = await this.#d.channels.byId(id);
    if (!row) throw new AppError('not_found', 'no such channel', 404);
    return row;
  }

  private async view(row: ChannelRow): Promise<Channel> {
    return {
      id: row.id,
      agentNumber: row.agent_number,
      name: row.name,
      licenceNumber: row.licence_number,
      scope: JSON.parse(row.scope) as Channel['scope'],
      origins: JSON.parse(row.origins) as string[],
      webhookUrl: row.webhook_url,
      status: row.status,
      flaggedOrders: await this.#d.channels.flaggedOrderCount(row.id),
      ...(row.pages ? { pages: JSON.parse(row.pages) as string[] } : {}),
      patrol: (await this.#d.channels.lastPatrol(row.id)).map((f) => ({ page: f.page, outcome: f.outcome, ...(f.detail ? { detail: f.detail } : {}), at: isoFromMs(f.at) })),
      ...(row.admission && row.recorded_by ? {
        admission: {
          ...(JSON.parse(row.admission) as Omit<StoredAdmission, 'commitments'>),
          recordedBy: row.recorded_by,
          ...(row.approved_by && row.approved_at ? { approvedBy: row.approved_by, approvedAt: isoFromMs(row.approved_at) } : {}),
        },
      } : {}),
      createdAt: isoFromMs(row.created_at),
      updatedAt: isoFromMs(row.updated_at),
    };
  }
}

/** An agent's scope holds the sale of SIM cards: the only thing its orders here are. */
function sellsCards(row: ChannelRow): boolean {
  return (JSON.parse(row.scope) as string[]).includes('sim_sale');
}

function publicAgent(row: ChannelRow): PublicAgent {
  return {
    agentNumber: row.agent_number,
    name: row.name,
    licenceNumber: row.licence_number,
    scope: JSON.parse(row.scope) as PublicAgent['scope'],
    authorised: row.status === 'active',
  };
}
