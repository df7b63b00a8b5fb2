import { type RequestHandler, type Response, Router } from 'express';
import { clientOf } from '../http/client.js';
import type { Guards } from '../http/guards.js';
import { signIn } from '../http/limits.js';
import { z } from 'zod';
import { agentNumber, createChannelRequestSchema, updateChannelRequestSchema } from '@shared';
import { bearerToken, parseWith } from '../http/validate.js';
import type { ChannelService } from '../services/channelService.js';
import type { ChannelPatrol } from '../services/channelPatrol.js';
import { staffOf } from '../staff/staff.routes.js';

const channelParams = z.object({ id: z.uuid() });
const agentParams = z.object({ agentNumber });
const verifyBody = z.object({ payload: z.string().min(10).max(1000) });
const sessionBody = z.object({ origin: z.string().max(200) });

/** The operator's registry of authorised agents (a bearer token), and what anyone may check of it. */
export function channelRoutes(channels: ChannelService, patrol: ChannelPatrol, { limits, staff }: Guards): Router {
  const router = Router();
  // The registry is a channel manager's in the console; a script uses the operator's machine key
  // (OPERATOR_TOKEN). Wrong keys are counted per network: guessing them is slow.
  const manager = staff('channels.manage');
  const operator: RequestHandler = (req, res, next) => {
    if (!req.get('authorization')) {
      manager(req, res, next);
      return;
    }
    signIn(limits, clientOf(req), () => channels.authorizeOperator(bearerToken(req.get('authorization')))).then(() => {
      res.locals.actor = 'operator-key';
      next();
    }, next);
  };
  const actorOf = (res: Response): string => (res.locals.actor as string | undefined) ?? `staff:${staffOf(res).username}`;

  router.get('/operator/channels', operator, async (_req, res) => {
    res.json({ channels: await channels.list() });
  });

  router.post('/operator/channels', operator, async (req, res) => {
    const created = await channels.create(parseWith(createChannelRequestSchema, req.body), actorOf(res));
    await staff.record(res, 'channel.create', created.channel.agentNumber);
    res.status(201).json(created);
  });

  router.patch('/operator/channels/:id', operator, async (req, res) => {
    const request = parseWith(updateChannelRequestSchema, req.body);
    const updated = await channels.update(parseWith(channelParams, req.params).id, request, actorOf(res));
    await staff.record(res, 'channel.update', `${updated.agentNumber}: ${Object.keys(request).join(', ')}`);
    res.json(updated);
  });

  // The second person: a channel manager signed in, other than whoever recorded the admission (never a machine key).
  router.post('/operator/channels/:id/approval', manager, async (req, res) => {
    const approved = await channels.approve(parseWith(channelParams, req.params).id, actorOf(res));
    await staff.record(res, 'channel.approve', approved.agentNumber);
    res.json(approved);
  });

  // The patrol of the agents' pages, now (it also goes round on its own, PATROL_INTERVAL_HOURS).
  router.post('/operator/channels/patrol', operator, async (_req, res) => {
    const findings = await patrol.patrol();
    await staff.record(res, 'channel.patrol', `${findings.length} page(s)`);
    res.json({ findings });
  });

  router.post('/operator/channels/:id/patrol', operator, async (req, res) => {
    const row = await channels.row(parseWith(channelParams, req.params).id);
    const findings = await patrol.patrolAgent(row);
    await staff.record(res, 'channel.patrol', row.agent_number);
    res.json({ findings });
  });

  router.get('/operator/channels/:id/history', operator, async (req, res) => {
    res.json({ events: await channels.history(parseWith(channelParams, req.params).id) });
  });

  router.get('/operator/channels/:id/deliveries', operator, async (req, res) => {
    res.json({ deliveries: await channels.deliveries(parseWith(channelParams, req.params).id) });
  });

  // The selling agent's server: the outcome of its own orders, with its API key.
  router.get('/channel/orders/:id', async (req, res) => {
    const channel = await signIn(limits, clientOf(req), () => channels.authorizeChannel(bearerToken(req.get('authorization'))));
    res.json(await channels.orderFor(channel, parseWith(channelParams, req.params).id));
  });

  // The selling agent's server: a session naming it, for one of its registered sites, to put on the
  // orders it starts (an app or a page of its own that does not frame the flow).
  router.post('/channel/sessions', async (req, res) => {
    const channel = await signIn(limits, clientOf(req), () => channels.authorizeChannel(bearerToken(req.get('authorization'))));
    res.status(201).set('cache-control', 'no-store').json(await channels.serverSession(channel, parseWith(sessionBody, req.body).origin));
  });

  // Public: the authorised agents, an agent's mark for its own site, and the check of a mark.
  router.get('/agents', async (_req, res) => {
    res.json({ agents: await channels.publicList() });
  });

  // The logo on every mark, shown on the agents' pages: cached, and inert (no script runs in it).
  router.get('/operator/logo', (_req, res) => {
    res.set({ 'Content-Type': channels.logo.type, 'Cache-Control': 'public, max-age=3600', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" }).send(channels.logo.bytes);
  });

  // Fetched by the agent's own pages (cross-origin): they may read the answer, no one else.
  router.get('/agents/:agentNumber/mark', limits.per('marks'), async (req, res) => {
    const origin = req.get('origin') ?? originOfReferer(req.get('referer'));
    const mark = await channels.mark(parseWith(agentParams, req.params).agentNumber, origin);
    if (origin) res.set({ 'Access-Control-Allow-Origin': origin, Vary: 'Origin' });
    res.json(mark);
  });

  router.get('/agents/:agentNumber/embedding', limits.per('marks'), async (req, res) => {
    res.json(await channels.embedding(parseWith(agentParams, req.params).agentNumber));
  });

  router.post('/agents/verify', limits.per('marks'), async (req, res) => {
    res.json(await channels.verifyMark(parseWith(verifyBody, req.body).payload));
  });

  return router;
}

/** A same-origin GET carries no Origin header; its Referer names the page's origin. */
function originOfReferer(referer: string | undefined): string | undefined {
  try {
    return referer ? new URL(referer).origin : undefined;
  } catch {
    return undefined;
  }
}
