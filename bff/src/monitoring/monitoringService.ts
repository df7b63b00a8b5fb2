import { z } from 'zod';
import { type Alert, type AlertRule, isoFromMs } from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { faceDistance } from '../engine/face/faceDistance.js';
import { AppError } from '../errors.js';
import { sealedAs } from '../providers/db/sealed.js';
import type { AlertRow, MonitoringDb } from './monitoring.db.js';

/** So many in a window of seconds: more than `points` trips the rule. */
export interface Threshold {
  points: number;
  seconds: number;
}

export interface MonitoringSettings {
  /** Orders submitted through one agent. */
  agentOrders: Threshold;
  /** Over `days`, an agent with at least `minDecided` decisions whose refusal rate is at least `factor` times the others' (and 20 points above it). */
  agentRefusals: { days: number; minDecided: number; factor: number };
  /** Identities behind the orders from one network. */
  clientIdentities: Threshold;
  /** Failed live checks, all buyers together. */
  liveFailures: Threshold;
  /** Hand-overs one courier refused. */
  courierRefusals: Threshold;
  /** Holds of a number one network let lapse without ordering. */
  heldUnordered: Threshold;
  /** Live faces compared over `days`; two faces at most `maxDistance` apart are the same person. */
  sameFace: { days: number; maxDistance: number };
  /** Suspend an agent an agent rule tripped on, pending a look (MONITOR_SUSPEND_AGENTS). */
  suspendAgents: boolean;
  /** Hold the shipments of the orders a rule tripped on (an agent's, or the same face's), pending a look (MONITOR_HOLD_SHIPMENTS). */
  holdShipments: boolean;
}

export interface MonitoringDeps {
  db: MonitoringDb;
  envelope: Envelope;
  settings: MonitoringSettings;
  /** Suspends an agent with its reason and evidence (the channel registry). */
  suspendAgent: (channelId: string, reason: string, evidence: string[]) => Promise<void>;
  now: () => number;
  log: (level: 'error' | 'info', message: string) => void;
}

export interface Tripped {
  rule: AlertRule;
  subject: string;
  detail: Record<string, number | string>;
  /** The agent's channel, for an agent rule. */
  channelId?: string;
  /** The orders it is about (the same face's). */
  orderIds?: string[];
}

/** A face descriptor as the index keeps it (128 numbers). */
const faceSchema = z.array(z.number()).min(1).max(1024);

/** An indexed face opened from its seal, with the identity it was submitted under (a keyed hash). */
interface OpenedFace {
  holderKey: string;
  face: Float32Array;
}

/** Faces opened from the index a query at a time. */
const OPEN_BATCH = 500;

/** The refusal rate an agent must pass the others' by, in points, besides the factor. */
const REFUSAL_MARGIN = 0.2;

/**
 * The monitoring rules (seed 000 八: real-time monitoring and early warning of abnormal sign-ups):
 * each reads what happened over its window and raises an alert on what passes its threshold; an
 * alert stays open (brought up to date) until a person closes it. Where set, an agent a rule tripped
 * on is suspended at once, or the shipments concerned held, pending a look. The same face under
 * different ID numbers is found as each submission's live face is indexed (`faceSubmitted`).
 */
export class MonitoringService {
  readonly #d: MonitoringDeps;
  /**
   * The index's faces this process has opened from their seals, by order (opening one costs about
   * 50 µs, every face of the window at every submission). Only what the index still holds is
   * compared: a face pruned there is dropped here at the next submission. The holder's own
   * faces, never compared with them, are dropped too (another holder's submission opens them again).
   */
  readonly #opened = new Map<string, OpenedFace>();

  constructor(deps: MonitoringDeps) {
    this.#d = deps;
  }

  /** What every rule finds right now. */
  async evaluate(now = this.#d.now()): Promise<Tripped[]> {
    const { settings: s, db } = this.#d;
    const since = (t: Threshold) => now - t.seconds * 1000;
    const tripped: Tripped[] = [];

    for (const agent of await db.agentSubmissions(since(s.agentOrders))) {
      if (agent.n > s.agentOrders.points) {
        tripped.push({ rule: 'agent_burst', subject: agent.subject, channelId: agent.channelId, detail: { orders: agent.n, limit: s.agentOrders.points, windowSeconds: s.agentOrders.seconds } });
      }
    }

    const decisions = await db.decisionsByChannel(now - s.agentRefusals.days * 86_400_000);
    for (const agent of decisions.filter((d) => d.kind === 'agent' && d.decided >= s.agentRefusals.minDecided)) {
      const others = decisions.filter((d) => d.channelId !== agent.channelId);
      const othersDecided = others.reduce((sum, d) => sum + d.decided, 0);
      const othersRate = othersDecided === 0 ? 0 : others.reduce((sum, d) => sum + d.rejected, 0) / othersDecided;
      const rate = agent.rejected / agent.decided;
      if (rate >= othersRate * s.agentRefusals.factor && rate >= othersRate + REFUSAL_MARGIN) {
        tripped.push({
          rule: 'agent_refusals', subject: agent.subject, channelId: agent.channelId,
          detail: { decided: agent.decided, refused: agent.rejected, rate: round(rate), othersRate: round(othersRate), factor: s.agentRefusals.factor },
        });
      }
    }

    for (const client of await db.identitiesByClient(since(s.clientIdentities))) {
      if (client.n > s.clientIdentities.points) {
        tripped.push({ rule: 'client_identities', subject: client.subject, detail: { identities: client.n, limit: s.clientIdentities.points, windowSeconds: s.clientIdentities.seconds } });
      }
    }

    const failures = await db.liveCheckFailures(since(s.liveFailures));
    if (failures > s.liveFailures.points) {
      tripped.push({ rule: 'live_check_failures', subject: 'all', detail: { failed: failures, limit: s.liveFailures.points, windowSeconds: s.liveFailures.seconds } });
    }

    for (const client of await db.lapsedHoldsByClient(since(s.heldUnordered))) {
      if (client.n > s.heldUnordered.points) {
        tripped.push({ rule: 'held_unordered', subject: client.subject, detail: { lapsed: client.n, limit: s.heldUnordered.points, windowSeconds: s.heldUnordered.seconds } });
      }
    }

    for (const courier of await db.courierRefusals(since(s.courierRefusals))) {
      if (courier.n > s.courierRefusals.points) {
        tripped.push({ rule: 'courier_refusals', subject: courier.subject, detail: { refused: courier.n, limit: s.courierRefusals.points, windowSeconds: s.courierRefusals.seconds } });
      }
    }
    return tripped;
  }

  /** Evaluates every rule and raises what tripped (the sweep); returns the alerts new this time. */
  async sweep(): Promise<Tripped[]> {
    const now = this.#d.now();
    const raised: Tripped[] = [];
    for (const trip of await this.evaluate(now)) {
      const alert = await this.#d.db.raise(trip.rule, trip.subject, trip.detail, now);
      if (!alert.raised) continue;
      raised.push(trip);
      this.#d.log('info', `monitoring: ${trip.rule} tripped on ${trip.subject} (alert ${alert.id})`);
      await this.#act(alert.id, trip);
    }
    return raised;
  }

  /** What is done at once on a new alert, where set: the agent suspended, or its shipments held. */
  async #act(alertId: string, trip: Tripped): Promise<void> {
    if (trip.channelId && this.#d.settings.suspendAgents) {
      await this.#d.suspendAgent(trip.channelId, `monitoring: ${trip.rule} (${describe(trip.detail)}), suspended pending a look`, [`ALERT-${alertId}`]);
      await this.#d.db.setAction(alertId, 'agent_suspended');
      return;
    }
    if (!this.#d.settings.holdShipments) return;
    const which = trip.channelId ? { channelId: trip.channelId } : trip.orderIds ? { orderIds: trip.orderIds } : undefined;
    if (which && await this.#d.db.holdShipments(which, `monitoring_${trip.rule}`) > 0) await this.#d.db.setAction(alertId, 'shipments_held');
  }

  /**
   * A submission's live face, compared with the faces submitted under other ID numbers over the
   * window (each opened from its seal once) and then indexed, sealed. The same face under another
   * identity raises `same_face` on the earliest order of the face: a later one brings it up to date.
   */
  async faceSubmitted(orderId: string, holderKey: string, descriptor: readonly number[]): Promise<Tripped | undefined> {
    const now = this.#d.now();
    const { days, maxDistance } = this.#d.settings.sameFace;
    const matches: { orderId: string; holderKey: string; distance: number }[] = [];
    const others = await this.#d.db.facesOfOthers(holderKey, now - days * 86_400_000);
    const faces = await this.#open(others);
    for (const id of others) {
      const other = faces.get(id);
      if (!other) continue;
      const distance = faceDistance(descriptor, other.face);
      if (distance <= maxDistance) matches.push({ orderId: id, holderKey: other.holderKey, distance });
    }
    await this.#d.db.indexFace({ order_id: orderId, holder_key: holderKey, face: this.#d.envelope.sealJson([...descriptor], sealedAs.faceIndex(orderId)), at: now });
    this.#opened.set(orderId, { holderKey, face: Float32Array.from(descriptor) });
    // What the index no longer holds (past the window, pruned) is not kept opened here either.
    for (const id of this.#opened.keys()) if (id !== orderId && !faces.has(id)) this.#opened.delete(id);
    const first = matches[0];
    if (!first) return undefined;
    const trip: Tripped = {
      rule: 'same_face', subject: `order:${first.orderId}`, orderIds: [orderId, ...matches.map((m) => m.orderId)],
      detail: { identities: new Set(matches.map((m) => m.holderKey)).size + 1, closest: round(Math.min(...matches.map((m) => m.distance))), limit: maxDistance, latestOrder: orderId },
    };
    const alert = await this.#d.db.raise(trip.rule, trip.subject, trip.detail, now);
    this.#d.log('info', `monitoring: same_face tripped on ${trip.subject} (alert ${alert.id})`);
    // Every order of the face is held, the new one included, also when the alert was open already.
    await this.#act(alert.id, trip);
    return trip;
  }

  /**
   * The faces of these orders: those this process opened before, and the others opened from their
   * seals now, a batch at a time (and kept opened). A face the index no longer holds is not among them.
   */
  async #open(orderIds: readonly string[]): Promise<Map<string, OpenedFace>> {
    const faces = new Map<string, OpenedFace>();
    const missing: string[] = [];
    for (const id of orderIds) {
      const opened = this.#opened.get(id);
      if (opened) faces.set(id, opened);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += OPEN_BATCH) {
      for (const row of await this.#d.db.sealedFaces(missing.slice(i, i + OPEN_BATCH))) {
        const opened = { holderKey: row.holder_key, face: Float32Array.from(faceSchema.parse(this.#d.envelope.openJson(row.face, sealedAs.faceIndex(row.order_id)))) };
        faces.set(row.order_id, opened);
        this.#opened.set(row.order_id, opened);
      }
    }
    return faces;
  }

  async list(status: 'open' | 'all'): Promise<Alert[]> {
    return (await this.#d.db.alerts(status)).map(view);
  }

  async close(id: string, by: string): Promise<void> {
    if (!await this.#d.db.close(id, by, this.#d.now())) throw new AppError('not_found', 'no such open alert', 404);
  }
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
const describe = (detail: Record<string, number | string>): string => Object.entries(detail).map(([k, v]) => `${k} ${v}`).join(', ');

function view(row: AlertRow): Alert {
  return {
    id: row.id,
    rule: row.rule,
    subject: row.subject,
    status: row.status,
    detail: JSON.parse(row.detail) as Record<string, number | string>,
    ...(row.action ? { action: row.action } : {}),
    raisedAt: isoFromMs(Number(row.raised_at)),
    seenAt: isoFromMs(Number(row.seen_at)),
    ...(row.closed_at ? { closedAt: isoFromMs(Number(row.closed_at)) } : {}),
    ...(row.closed_by ? { closedBy: row.closed_by } : {}),
  };
}
